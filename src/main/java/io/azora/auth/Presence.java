package io.azora.auth;

import io.azora.auth.AuthRepository.User;
import io.azora.platform.AzoraConfig;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.util.UUID;

/**
 * Proof of presence for sensitive account changes (API.md): a stolen access token alone must not be
 * enough to turn on the attacker's TOTP, change the password or sign everyone else out. The request
 * carries the current password or, with MFA on, a code of the second factor; otherwise 401
 * reauth_required. Wrong guesses count against the account like failed logins.
 */
final class Presence {

  private final Vertx vertx;
  private final Pool pool;
  private final AzoraConfig.Auth config;
  private final AuthRepository repo;
  private final Mfa mfa;

  Presence(Vertx vertx, Pool pool, AzoraConfig.Auth config, AuthRepository repo, Mfa mfa) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
    this.repo = repo;
    this.mfa = mfa;
  }

  /**
   * The user, locked for the rest of {@code tx}, if {@code body} proves presence: {@code passwordField}
   * holds the current password, or (MFA on) {@code code} a TOTP or recovery code (used up by this).
   */
  Future<User> prove(SqlClient tx, UUID userId, JsonObject body, String passwordField) {
    String subject = "reauth:" + userId;
    String password = body.getString(passwordField);
    String code = body.getString("code");
    // Counted outside the transaction, before the outcome is known: it sticks even if the change fails.
    return repo.countAttempt(pool, subject, config.loginFailuresBeforeThrottle(), config.loginThrottleBaseSeconds(),
            config.loginThrottleMaxSeconds())
        .compose(wait -> wait > 0
            ? Problems.<User>fail(Problems.tooMany("Too many failed confirmations for this account; try again later", wait))
            : repo.byIdForUpdate(tx, userId))
        .compose(user -> {
          if (user == null) {
            return Problems.<User>fail(Problems.notFound("No such user"));
          }
          Future<Boolean> proved;
          if (password != null && user.passwordHash() != null) {
            proved = HashingQueue.of(vertx, config.maxPendingHashes()).submit(() -> Passwords.matches(password, user.passwordHash()));
          } else if (code != null && user.mfaEnabled()) {
            proved = mfa.secondFactor(tx, user, code.strip());
          } else {
            proved = Future.succeededFuture(false);
          }
          return proved.compose(ok -> ok ? repo.clearFailures(pool, subject).map(user)
              : Problems.<User>fail(Problems.of(401, "reauth_required", user.mfaEnabled()
                  ? "Confirm it is you: send your current " + passwordField + ", or a code from your authenticator"
                  : "Confirm it is you: send your current " + passwordField)));
        });
  }
}
