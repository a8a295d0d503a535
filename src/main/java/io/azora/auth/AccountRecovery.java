package io.azora.auth;

import io.azora.auth.AuthRepository.User;
import io.azora.platform.AzoraConfig;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * What proves or restores control of an account by mail: email verification (a link sent at
 * registration), password reset (a single-use link valid 30 minutes) and password change. Tokens are
 * random, kept only as SHA-256, single-use and expiring; a reset or change ends the user's other sessions.
 */
final class AccountRecovery {

  private static final Logger log = LoggerFactory.getLogger(AccountRecovery.class);
  static final int RESET_MINUTES = 30;
  /** At most one mail of a kind per account in this time, whatever is asked: no mail-bombing through us. */
  private static final int MAIL_INTERVAL_SECONDS = 60;

  private final Vertx vertx;
  private final Pool pool;
  private final AzoraConfig.Auth config;
  private final AuthRepository repo;
  private final Mailer mailer;
  private final Passwords passwords;
  private final String publicBaseUrl;
  /** Ends sessions: their ids go on the gateways' deny-list (see {@link Revocations}). */
  private final Function<List<UUID>, Future<Void>> deny;

  AccountRecovery(Vertx vertx, Pool pool, AzoraConfig config, AuthRepository repo, Mailer mailer,
                  Function<List<UUID>, Future<Void>> deny) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config.auth();
    this.repo = repo;
    this.mailer = mailer;
    this.passwords = new Passwords(this.config.passwordMinLength(), this.config.passwordMaxLength());
    this.publicBaseUrl = config.http().publicBaseUrl();
    this.deny = deny;
  }

  // Email verification

  /** In the registration's transaction: a verification token for the user; its mail goes after the commit. */
  Future<String> verificationToken(SqlClient tx, User user) {
    String token = Secrets.token();
    return repo.insertEmailToken(tx, Secrets.sha256(token), user.id(), "verify", user.email(),
        OffsetDateTime.now().plusHours(config.emailVerificationHours())).map(token);
  }

  Future<Void> mailVerification(String email, String token) {
    return mailer.send(email, "Confirm your email for Azora", """
        Welcome to Azora.

        Confirm this email address by opening
          %s/verify-email#token=%s
        or by sending this code to POST /api/auth/email/verify:
          %s

        The link works for %d hours. If you did not create an Azora account, ignore this mail.
        """.formatted(publicBaseUrl, token, token, config.emailVerificationHours()));
  }

  /** {token}: the email is verified (204); an unknown, used or expired token is 400. */
  Future<Void> verify(JsonObject request) {
    byte[] hash = Secrets.sha256(request.getString("token", ""));
    return pool.withTransaction(tx -> repo.spendEmailToken(tx, hash, "verify").compose(row -> row == null
        ? Problems.<User>fail(invalidToken())
        : repo.verifyEmail(tx, row.getUUID("user_id"), row.getString("email"))))
        .compose(user -> user == null ? Problems.fail(invalidToken()) : Future.<Void>succeededFuture())
        .onSuccess(v -> log.info("Email verified"));
  }

  /** Sends a new verification mail to a signed-in user whose email is not verified yet (202 either way). */
  Future<Void> resend(UUID userId) {
    return pool.withTransaction(tx -> repo.byId(tx, userId).compose(user -> {
          if (user == null || user.emailVerified()) {
            return Future.<String[]>succeededFuture();
          }
          return repo.mailedRecently(tx, userId, "verify", MAIL_INTERVAL_SECONDS).compose(recent -> recent
              ? Future.<String[]>succeededFuture()
              : verificationToken(tx, user).map(token -> new String[] {user.email(), token}));
        }))
        .onSuccess(mail -> {
          if (mail != null) {
            mailVerification(mail[0], mail[1]);
          }
        })
        .mapEmpty();
  }

  // Password reset and change

  /**
   * {email}: mails a single-use reset link if an account has that email; answers the same (202) either way
   * and in about the same time, so it tells nobody which emails have accounts.
   */
  Future<Void> forgot(JsonObject request) {
    String email = AuthServiceImpl.normalizeEmail(request.getString("email"));
    if (email == null) {
      return Future.succeededFuture();
    }
    String token = Secrets.token();
    return pool.withTransaction(tx -> repo.byEmail(tx, email).compose(user -> user == null
            ? Future.<Boolean>succeededFuture(false)
            : repo.mailedRecently(tx, user.id(), "reset", MAIL_INTERVAL_SECONDS).compose(recent -> recent
                ? Future.succeededFuture(false)
                : repo.insertEmailToken(tx, Secrets.sha256(token), user.id(), "reset", email,
                    OffsetDateTime.now().plusMinutes(RESET_MINUTES)).map(true))))
        .onSuccess(send -> {
          if (send) {
            mailer.send(email, "Reset your Azora password", """
                Someone (hopefully you) asked to reset the password of your Azora account.

                Choose a new password by opening
                  %s/reset-password#token=%s
                or by sending this code with your new password to POST /api/auth/password/reset:
                  %s

                The link works once, for %d minutes. If you did not ask, ignore this mail: your password stays.
                """.formatted(publicBaseUrl, token, token, RESET_MINUTES));
          }
        })
        .mapEmpty();
  }

  /**
   * {token, password}: sets the new password, spends the token (and any other reset token), verifies the
   * email (the link reached it) and ends every session of the user.
   */
  Future<Void> reset(JsonObject request) {
    String password = request.getString("password", "");
    byte[] hash = Secrets.sha256(request.getString("token", ""));
    return pool.withTransaction(tx -> repo.spendEmailToken(tx, hash, "reset").compose(row -> {
          if (row == null) {
            return Problems.<List<UUID>>fail(invalidToken());
          }
          UUID userId = row.getUUID("user_id");
          ServiceException weak = passwords.weakness(password, row.getString("email"));
          if (weak != null) {
            return Problems.<List<UUID>>fail(weak);
          }
          return HashingQueue.of(vertx, config.maxPendingHashes()).submit(() -> Passwords.hash(password))
              .compose(passwordHash -> repo.setPassword(tx, userId, passwordHash))
              .compose(v -> repo.spendEmailTokens(tx, userId, "reset"))
              .compose(v -> repo.verifyEmail(tx, userId, row.getString("email")))
              .compose(v -> repo.clearFailures(tx, "reauth:" + userId))
              .compose(v -> repo.revokeSessions(tx, userId, null));
        }))
        .compose(deny)
        .onSuccess(v -> log.info("Password reset by mail link"));
  }

  /** {currentPassword | code, newPassword}, proved by {@code presence}: the other sessions end. */
  Future<Void> change(Presence presence, UUID userId, UUID currentSession, JsonObject request) {
    String password = request.getString("newPassword", "");
    return pool.withTransaction(tx -> presence.prove(tx, userId, request, "currentPassword").compose(user -> {
          ServiceException weak = passwords.weakness(password, user.email());
          if (weak != null) {
            return Problems.<List<UUID>>fail(weak);
          }
          return HashingQueue.of(vertx, config.maxPendingHashes()).submit(() -> Passwords.hash(password))
              .compose(passwordHash -> repo.setPassword(tx, userId, passwordHash))
              .compose(v -> repo.spendEmailTokens(tx, userId, "reset"))
              .compose(v -> repo.revokeSessions(tx, userId, currentSession));
        }))
        .compose(deny);
  }

  private static ServiceException invalidToken() {
    return Problems.of(400, "invalid_token", "This link is unknown, used or expired; ask for a new one");
  }
}
