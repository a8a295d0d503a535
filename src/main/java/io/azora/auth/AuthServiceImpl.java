package io.azora.auth;

import io.azora.auth.AuthRepository.User;
import io.azora.platform.AzoraConfig;
import io.azora.platform.Nexus;
import io.azora.platform.OutboxRelay;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Auth's domain logic: registration, login with MFA and back-off, sessions and refresh-token rotation. */
final class AuthServiceImpl implements AuthService {

  private static final Logger log = LoggerFactory.getLogger(AuthServiceImpl.class);

  private static final Set<String> SELF_SERVICE_ROLES = Set.of("student", "instructor", "employer");
  private static final Set<String> ROLES = Set.of("student", "instructor", "employer", "admin");
  /** How much more lenient the count shared by all untrusted clients of an account is than each one's own. */
  private static final int UNTRUSTED_LENIENCY = 10;
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");

  private final Vertx vertx;
  private final Pool pool;
  private final AzoraConfig.Auth config;
  private final SigningKeys keys;
  private final Passwords passwords;
  private final GoogleSignIn google;
  private final AuthRepository repo = new AuthRepository();
  private final Mfa mfa;
  private final Presence presence;
  private final Sessions sessions;
  private final AccountRecovery recovery;

  AuthServiceImpl(Vertx vertx, Pool pool, AzoraConfig config, SigningKeys keys, GoogleSignIn google,
                  SecretBox secrets, Mailer mailer, Revocations revocations) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config.auth();
    this.keys = keys;
    this.passwords = new Passwords(this.config.passwordMinLength(), this.config.passwordMaxLength());
    this.google = google;
    this.mfa = new Mfa(pool, this.config, repo, secrets);
    this.presence = new Presence(vertx, pool, this.config, repo, mfa);
    this.sessions = new Sessions(pool, this.config, keys, repo, revocations);
    this.recovery = new AccountRecovery(vertx, pool, config, repo, mailer, revocations::deny);
  }

  // Registration and login

  @Override
  public Future<JsonObject> register(JsonObject request, JsonObject client) {
    String email = normalizeEmail(request.getString("email"));
    String name = request.getString("name", "").trim();
    String role = request.getString("role", "student");
    String password = request.getString("password", "");
    if (email == null) {
      return Problems.fail(Problems.invalid("email", "A valid email address is required"));
    }
    if (name.isEmpty() || name.length() > 200) {
      return Problems.fail(Problems.invalid("name", "Name must be 1 to 200 characters"));
    }
    if (!SELF_SERVICE_ROLES.contains(role)) {
      return Problems.fail(Problems.invalid("role", "Role must be student, instructor or employer"));
    }
    ServiceException weak = passwords.weakness(password, email);
    if (weak != null) {
      return Problems.fail(weak);
    }
    String[] verification = new String[1];
    return HashingQueue.of(vertx, config.maxPendingHashes()).submit(() -> Passwords.hash(password))
        .compose(hash -> pool.withTransaction(tx -> createUser(tx, email, name, hash, null, List.of(role), false)
            .compose(user -> recovery.verificationToken(tx, user).map(token -> {
              verification[0] = token;
              return user;
            }))
            .compose(user -> sessions.open(tx, user, client))))
        .recover(err -> Future.failedFuture(isUniqueViolation(err)
            ? Problems.conflict("An account with this email already exists") : err))
        .onSuccess(tokens -> {
          log.info("Registered user {} as {}", tokens.getJsonObject("user").getString("id"), role);
          OutboxRelay.nudge(vertx, AuthEvents.SOURCE);
          recovery.mailVerification(email, verification[0]);
        });
  }

  /** Inserts the user and emits {@code user.registered} in the same transaction. */
  Future<User> createUser(SqlClient tx, String email, String name, String passwordHash, String googleSub,
                          List<String> roles, boolean emailVerified) {
    return repo.insertUser(tx, UUID.randomUUID(), email, name, passwordHash, googleSub, roles, emailVerified)
        .compose(user -> Nexus.emit(tx, AuthEvents.USER_REGISTERED, new JsonObject()
                .put("userId", user.id().toString()).put("email", user.email()).put("name", user.name())
                .put("roles", new JsonArray(user.roles())))
            .map(user));
  }

  @Override
  public Future<JsonObject> login(JsonObject request, JsonObject client) {
    String email = normalizeEmail(request.getString("email"));
    String password = request.getString("password", "");
    // The hashing place first: a login refused as busy is not counted against the account.
    return HashingQueue.of(vertx, config.maxPendingHashes()).reserve().compose(place ->
        (email == null ? Future.succeededFuture((User) null) : repo.byEmail(pool, email))
            .compose(user -> throttleCounts(email, user, client).compose(counts -> throttled(counts)
                .compose(v -> place.run(() -> Passwords.matches(password, user == null ? null : user.passwordHash())))
                .compose(ok -> {
                  if (ok) {
                    return Future.join(counts.stream().map(c -> repo.clearFailures(pool, c.subject())).toList()).map(user);
                  }
                  log.info("Failed login{}", user == null ? " for an unknown email" : " for user " + user.id());
                  return Future.failedFuture(Problems.unauthorized("Invalid email or password"));
                })))
            .onComplete(ar -> place.release()))
        .compose(user -> signIn(user, client));
  }

  /** A login back-off count: its subject, and the failures it allows before making the next attempt wait. */
  private record ThrottleCount(String subject, int freeAttempts) {
  }

  /**
   * What a login attempt counts against. A browser that signed in to this account before (its trusted-device
   * cookie) has its own count: nobody else's guesses ever make it wait. Every other client counts against
   * the account and its own address, and against one count shared by all of them, ten times as lenient:
   * a stranger's guesses from one address slow only that address, guesses spread over many addresses are
   * still bounded per account, and the owner's known device is never locked out.
   */
  private Future<List<ThrottleCount>> throttleCounts(String email, User user, JsonObject client) {
    String account = "login:" + (email == null ? "invalid" : email);
    int free = config.loginFailuresBeforeThrottle();
    List<ThrottleCount> untrusted = List.of(new ThrottleCount(account + ":ip:" + Sessions.ip(client), free),
        new ThrottleCount(account + ":untrusted", free * UNTRUSTED_LENIENCY));
    String device = client == null ? null : client.getString("device");
    if (user == null || device == null || device.length() > 100) {
      return Future.succeededFuture(untrusted);
    }
    byte[] hash = Secrets.sha256(device);
    return repo.trustedDevice(pool, hash, user.id()).map(trusted -> trusted
        ? List.of(new ThrottleCount(account + ":device:" + java.util.HexFormat.of().formatHex(hash, 0, 12), free))
        : untrusted);
  }

  /** Counts an attempt on each count; fails with 429 while any of them must wait. */
  private Future<Void> throttled(List<ThrottleCount> counts) {
    List<Future<Long>> waits = counts.stream().map(c -> repo.countAttempt(pool, c.subject(), c.freeAttempts(),
        config.loginThrottleBaseSeconds(), config.loginThrottleMaxSeconds())).toList();
    return Future.all(waits).compose(all -> {
      long wait = waits.stream().mapToLong(Future::result).max().orElse(0);
      return wait > 0 ? Future.failedFuture(Problems.tooMany("Too many failed attempts for this account; try again later", wait))
          : Future.succeededFuture();
    });
  }

  /** The last step of every sign-in: a second factor if the user has one, else a session. */
  private Future<JsonObject> signIn(User user, JsonObject client) {
    return user.mfaEnabled() ? mfa.challenge(user) : pool.withTransaction(tx -> sessions.open(tx, user, client));
  }

  @Override
  public Future<JsonObject> verifyMfa(JsonObject request, JsonObject client) {
    return mfa.verify(request, client, sessions::open);
  }

  @Override
  public Future<JsonObject> totpSetup(String userId, JsonObject request) {
    return pool.withTransaction(tx -> presence.prove(tx, requiredUuid(userId), request, "password")
        .compose(user -> mfa.setup(tx, user)));
  }

  @Override
  public Future<JsonObject> totpEnable(String userId, JsonObject request) {
    // The code belongs to the new secret and proves nothing about who asks: the password does.
    return pool.withTransaction(tx -> presence.prove(tx, requiredUuid(userId), request.copy().put("code", (String) null), "password")
        .compose(user -> mfa.enable(tx, user, request.getString("code", ""))));
  }

  @Override
  public Future<Void> totpDisable(String userId, JsonObject request) {
    return pool.withTransaction(tx -> presence.prove(tx, requiredUuid(userId), request, "password")
        .compose(user -> mfa.disable(tx, user)));
  }

  // Email verification and password recovery

  @Override
  public Future<Void> verifyEmail(JsonObject request) {
    return recovery.verify(request);
  }

  @Override
  public Future<Void> resendVerification(String userId) {
    return recovery.resend(requiredUuid(userId));
  }

  @Override
  public Future<Void> forgotPassword(JsonObject request) {
    return recovery.forgot(request);
  }

  @Override
  public Future<Void> resetPassword(JsonObject request) {
    return recovery.reset(request);
  }

  @Override
  public Future<Void> changePassword(String userId, String currentSessionId, JsonObject request) {
    return recovery.change(presence, requiredUuid(userId), uuid(currentSessionId), request);
  }

  // Sessions and tokens

  @Override
  public Future<JsonObject> refresh(String refreshToken, JsonObject client) {
    return sessions.refresh(refreshToken, client);
  }

  @Override
  public Future<Void> logout(String userId, String sessionId) {
    return sessions.logout(uuid(userId), uuid(sessionId));
  }

  @Override
  public Future<JsonObject> sessions(String userId, String currentSessionId, int limit, String cursor) {
    return sessions.list(uuid(userId), currentSessionId, limit, cursor);
  }

  @Override
  public Future<Void> revokeSession(String userId, String sessionId) {
    return sessions.revoke(uuid(userId), uuid(sessionId));
  }

  @Override
  public Future<JsonObject> revokeOtherSessions(String userId, String currentSessionId, JsonObject request) {
    return sessions.revokeOthers(presence, requiredUuid(userId), uuid(currentSessionId), request);
  }

  /** Deletes expired flows, challenges, throttles and long-gone sessions (run periodically). */
  Future<Void> purge() {
    return repo.purge(pool);
  }

  // Profile and roles

  @Override
  public Future<JsonObject> setRoles(String userId, JsonArray roles) {
    Set<String> wanted = new LinkedHashSet<>();
    for (Object r : roles) {
      if (!(r instanceof String s) || !ROLES.contains(s)) {
        return Problems.fail(Problems.invalid("roles", "Unknown role: " + r));
      }
      wanted.add(s);
    }
    if (wanted.isEmpty()) {
      return Problems.fail(Problems.invalid("roles", "A user needs at least one role"));
    }
    UUID id = uuid(userId);
    return (id == null ? Future.succeededFuture((User) null) : repo.setRoles(pool, id, new ArrayList<>(wanted)))
        .compose(user -> user == null ? Problems.fail(Problems.notFound("No such user"))
            : Future.succeededFuture(user.toJson()));
  }

  // Google sign-in

  @Override
  public Future<JsonObject> googleAuthorizationUrl() {
    return google.authorizationUrl();
  }

  @Override
  public Future<JsonObject> googleCallback(String code, String state, String browser, JsonObject client) {
    return google.verifiedIdentity(code, state, browser)
        .compose(identity -> pool.withTransaction(tx -> userForGoogle(tx, identity)))
        .onSuccess(v -> OutboxRelay.nudge(vertx, AuthEvents.SOURCE))
        .compose(user -> signIn(user, client));  // Google is the first factor; TOTP still applies
  }

  /**
   * The user keyed by Google {@code sub}; else, for a verified Google email, the account with that email
   * if its email is verified too (linked), or 409 account_exists (also when Google has not verified it) (an unverified account is someone's claim,
   * not proof: linking it would hand it to whoever registered the address first); else a new account.
   */
  private Future<User> userForGoogle(SqlClient tx, JsonObject identity) {
    String sub = identity.getString("sub");
    String email = normalizeEmail(identity.getString("email"));
    boolean verified = Boolean.TRUE.equals(identity.getValue("email_verified"));
    return repo.byGoogleSub(tx, sub).compose(bySub -> {
      if (bySub != null) {
        return Future.succeededFuture(bySub);
      }
      if (email == null) {
        return Problems.fail(Problems.forbidden("Google account has no verified email"));
      }
      return repo.byEmail(tx, email).compose(byEmail -> {
        if (!verified) {
          // Google does not vouch for the address: never linked to the account that has it, nor a new one made.
          return Problems.fail(byEmail != null
              ? Problems.of(409, "account_exists", "An account with this email exists, and Google has not verified "
                  + "the email: sign in with the account's password")
              : Problems.forbidden("Google account has no verified email"));
        }
        if (byEmail == null) {
          return createUser(tx, email, identity.getString("name", email), null, sub, List.of("student"), true);
        }
        if (!byEmail.emailVerified()) {
          return Problems.fail(Problems.of(409, "account_exists", "An account with this email exists but its email is "
              + "not verified: sign in with its password and verify the email, then Google sign-in links to it"));
        }
        if (byEmail.googleSub() != null) {
          // Another Google identity is linked already (an address reassigned at its provider): no takeover.
          return Problems.fail(Problems.of(409, "account_exists", "This account is linked to another Google account"));
        }
        return repo.linkGoogle(tx, byEmail.id(), sub);
      });
    });
  }

  @Override
  public Future<JsonObject> rotateSigningKey() {
    return keys.rotate().map(kid -> {
      // Gateways reload the JWKS at once instead of waiting for a token with an unknown kid.
      vertx.eventBus().publish(IdentityService.KEYS_CHANGED, kid);
      return new JsonObject().put("kid", kid);
    });
  }

  /** The configured first admin (see {@link FirstAdmin}). */
  Future<Void> ensureAdmin() {
    return new FirstAdmin(vertx, pool, config, repo, this::createUser).ensure();
  }

  // Helpers

  static String normalizeEmail(String email) {
    if (email == null) {
      return null;
    }
    String e = email.trim().toLowerCase(Locale.ROOT);
    return e.length() <= 254 && EMAIL.matcher(e).matches() ? e : null;
  }

  static boolean isUniqueViolation(Throwable err) {
    return err instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  /** The caller's id as the gateway verified it: always a UUID (400 otherwise, never a 500). */
  private static UUID requiredUuid(String id) {
    UUID uuid = uuid(id);
    if (uuid == null) {
      throw Problems.invalid("userId", "must be a user id");
    }
    return uuid;
  }

  private static UUID uuid(String id) {
    try {
      return id == null ? null : UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
