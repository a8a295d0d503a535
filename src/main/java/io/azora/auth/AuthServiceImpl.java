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
import io.vertx.ext.auth.JWTOptions;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Command;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
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

  static final String SOURCE = "auth";
  private static final Set<String> SELF_SERVICE_ROLES = Set.of("student", "instructor", "employer");
  private static final Set<String> ROLES = Set.of("student", "instructor", "employer", "admin");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");

  private final Vertx vertx;
  private final Pool pool;
  private final Redis redis;
  private final AzoraConfig.Auth config;
  private final String denyPrefix;
  private final SigningKeys keys;
  private final Passwords passwords;
  private final GoogleSignIn google;
  private final AuthRepository repo = new AuthRepository();
  private final Mfa mfa;

  AuthServiceImpl(Vertx vertx, Pool pool, Redis redis, AzoraConfig config, SigningKeys keys, GoogleSignIn google) {
    this.vertx = vertx;
    this.pool = pool;
    this.redis = redis;
    this.config = config.auth();
    this.denyPrefix = config.redis().keyPrefix() + "deny:";
    this.keys = keys;
    this.passwords = new Passwords(this.config.passwordMinLength(), this.config.passwordMaxLength());
    this.google = google;
    this.mfa = new Mfa(pool, this.config, repo);
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
    return vertx.executeBlocking(() -> Passwords.hash(password), false)
        .compose(hash -> pool.withTransaction(tx -> createUser(tx, email, name, hash, null, List.of(role))
            .compose(user -> startSession(tx, user, client))))
        .recover(err -> Future.failedFuture(isUniqueViolation(err)
            ? Problems.conflict("An account with this email already exists") : err))
        .onSuccess(tokens -> {
          log.info("Registered user {} as {}", tokens.getJsonObject("user").getString("id"), role);
          OutboxRelay.nudge(vertx, SOURCE);
        });
  }

  /** Inserts the user and emits {@code user.registered} in the same transaction. */
  Future<User> createUser(SqlClient tx, String email, String name, String passwordHash, String googleSub,
                          List<String> roles) {
    return repo.insertUser(tx, UUID.randomUUID(), email, name, passwordHash, googleSub, roles)
        .compose(user -> Nexus.emit(tx, SOURCE, "user.registered", new JsonObject()
                .put("userId", user.id().toString()).put("email", user.email()).put("name", user.name())
                .put("roles", new JsonArray(user.roles())))
            .map(user));
  }

  @Override
  public Future<JsonObject> login(JsonObject request, JsonObject client) {
    String email = normalizeEmail(request.getString("email"));
    String password = request.getString("password", "");
    String subject = "login:" + (email == null ? "invalid" : email);
    return throttled(subject)
        .compose(v -> email == null ? Future.succeededFuture((User) null) : repo.byEmail(pool, email))
        .compose(user -> vertx.executeBlocking(() -> Passwords.matches(password, user == null ? null : user.passwordHash()), false)
            .compose(ok -> {
              if (ok) {
                return repo.clearFailures(pool, subject).map(user);
              }
              log.info("Failed login{}", user == null ? " for an unknown email" : " for user " + user.id());
              return Future.failedFuture(Problems.unauthorized("Invalid email or password"));
            }))
        .compose(user -> signIn(user, client));
  }

  /** Counts an attempt on {@code subject}; fails with 429 while it must wait. */
  private Future<Void> throttled(String subject) {
    return repo.countAttempt(pool, subject, config.loginFailuresBeforeThrottle(), config.loginThrottleBaseSeconds(),
            config.loginThrottleMaxSeconds())
        .compose(wait -> wait > 0
            ? Future.failedFuture(Problems.tooMany("Too many failed attempts for this account; try again later", wait))
            : Future.succeededFuture());
  }

  /** The last step of every sign-in: a second factor if the user has one, else a session. */
  private Future<JsonObject> signIn(User user, JsonObject client) {
    return user.mfaEnabled() ? mfa.challenge(user) : pool.withTransaction(tx -> startSession(tx, user, client));
  }

  @Override
  public Future<JsonObject> verifyMfa(JsonObject request, JsonObject client) {
    return mfa.verify(request, client, this::startSession);
  }

  @Override
  public Future<JsonObject> totpSetup(String userId) {
    return mfa.setup(uuid(userId));
  }

  @Override
  public Future<JsonObject> totpEnable(String userId, String code) {
    return mfa.enable(uuid(userId), code);
  }

  @Override
  public Future<Void> totpDisable(String userId, String code) {
    return mfa.disable(uuid(userId), code);
  }

  // Sessions and tokens

  /** Opens a session and returns the contract's token response. */
  private Future<JsonObject> startSession(SqlClient tx, User user, JsonObject client) {
    UUID sessionId = UUID.randomUUID();
    String refreshToken = Secrets.token();
    OffsetDateTime expires = OffsetDateTime.now().plusDays(config.refreshTokenTtlDays());
    return repo.insertSession(tx, sessionId, user.id(), expires, userAgent(client), ip(client))
        .compose(v -> repo.insertRefreshToken(tx, Secrets.sha256(refreshToken), sessionId))
        .map(v -> tokens(user, sessionId, refreshToken));
  }

  private JsonObject tokens(User user, UUID sessionId, String refreshToken) {
    String access = keys.sign(new JsonObject()
            .put("roles", new JsonArray(user.roles()))
            .put("sid", sessionId.toString())
            .put("jti", UUID.randomUUID().toString()),
        new JWTOptions().setSubject(user.id().toString()).setIssuer(config.issuer())
            .setAudience(List.of(config.audience())).setExpiresInSeconds(config.accessTokenTtlSeconds()));
    return new JsonObject().put("user", user.toJson()).put("token", access).put("accessToken", access)
        .put("refreshToken", refreshToken).put("tokenType", "Bearer").put("expiresIn", config.accessTokenTtlSeconds());
  }

  private enum RefreshOutcome { INVALID, REUSED }

  @Override
  public Future<JsonObject> refresh(String refreshToken, JsonObject client) {
    byte[] hash = Secrets.sha256(refreshToken == null ? "" : refreshToken);
    // Revocation on reuse must commit, so the transaction returns an outcome instead of failing.
    return pool.<Object>withTransaction(tx -> repo.refreshTokenForUpdate(tx, hash).compose(row -> {
          if (row == null) {
            return Future.succeededFuture(RefreshOutcome.INVALID);
          }
          UUID sessionId = row.getUUID("session_id");
          if (row.getBoolean("spent")) {
            return repo.revokeSession(tx, sessionId, null).map(v -> (Object) sessionId);
          }
          if (!row.getBoolean("session_active")) {
            return Future.succeededFuture(RefreshOutcome.INVALID);
          }
          String next = Secrets.token();
          return repo.spendRefreshToken(tx, hash)
              .compose(v -> repo.insertRefreshToken(tx, Secrets.sha256(next), sessionId))
              .compose(v -> repo.touchSession(tx, sessionId, userAgent(client), ip(client)))
              .compose(v -> repo.byId(tx, row.getUUID("user_id")))
              .map(user -> (Object) tokens(user, sessionId, next));
        }))
        .compose(outcome -> {
          if (outcome instanceof JsonObject tokens) {
            return Future.succeededFuture(tokens);
          }
          Future<Void> denied = outcome instanceof UUID reusedSession ? deny(reusedSession) : Future.succeededFuture();
          return denied.compose(v -> Future.failedFuture(Problems.unauthorized(
              outcome instanceof UUID ? "Refresh token was already used; the session has been revoked"
                  : "Invalid or expired refresh token")));
        });
  }

  @Override
  public Future<Void> logout(String userId, String sessionId) {
    UUID sid = uuid(sessionId);
    return sid == null ? Future.succeededFuture()
        : repo.revokeSession(pool, sid, uuid(userId)).compose(v -> deny(sid));
  }

  @Override
  public Future<JsonObject> sessions(String userId, String currentSessionId, int limit, String cursor) {
    try {
      return repo.activeSessions(pool, uuid(userId), currentSessionId, Math.max(1, Math.min(limit, 100)), cursor);
    } catch (RuntimeException badCursor) {
      return Problems.fail(Problems.invalid("cursor", "Unknown cursor"));
    }
  }

  @Override
  public Future<Void> revokeSession(String userId, String sessionId) {
    UUID sid = uuid(sessionId);
    if (sid == null) {
      return Problems.fail(Problems.notFound("No such session"));
    }
    return repo.revokeSession(pool, sid, uuid(userId))
        .compose(revoked -> revoked ? deny(sid) : Problems.fail(Problems.notFound("No such session")));
  }

  /**
   * Puts the session on the gateway's deny-list for as long as its access tokens may live, so they stop
   * working at once on every gateway node.
   */
  private Future<Void> deny(UUID sessionId) {
    return redis.send(Request.cmd(Command.SET).arg(denyPrefix + sessionId).arg("1")
            .arg("EX").arg(config.accessTokenTtlSeconds() + 60))
        .mapEmpty();
  }

  /** Deletes expired flows, challenges, throttles and long-gone sessions (run periodically). */
  Future<Void> purge() {
    return repo.purge(pool);
  }

  // Profile and roles

  @Override
  public Future<JsonObject> profile(String userId) {
    UUID id = uuid(userId);
    return (id == null ? Future.succeededFuture((User) null) : repo.byId(pool, id))
        .compose(user -> user == null ? Problems.fail(Problems.notFound("No such user"))
            : Future.succeededFuture(user.toJson()));
  }

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
  public Future<String> googleAuthorizationUrl() {
    return google.authorizationUrl();
  }

  @Override
  public Future<JsonObject> googleCallback(String code, String state, JsonObject client) {
    return google.verifiedIdentity(code, state)
        .compose(identity -> pool.withTransaction(tx -> userForGoogle(tx, identity)))
        .onSuccess(v -> OutboxRelay.nudge(vertx, SOURCE))
        .compose(user -> signIn(user, client));  // Google is the first factor; TOTP still applies
  }

  /** The user keyed by Google {@code sub}; else the account with the same verified email, linked; else a new one. */
  private Future<User> userForGoogle(SqlClient tx, JsonObject identity) {
    String sub = identity.getString("sub");
    String email = normalizeEmail(identity.getString("email"));
    boolean verified = identity.getBoolean("email_verified", false);
    return repo.byGoogleSub(tx, sub).compose(bySub -> {
      if (bySub != null) {
        return Future.succeededFuture(bySub);
      }
      if (email == null || !verified) {
        return Problems.fail(Problems.forbidden("Google account has no verified email"));
      }
      return repo.byEmail(tx, email).compose(byEmail -> byEmail != null
          ? repo.linkGoogle(tx, byEmail.id(), sub)
          : createUser(tx, email, identity.getString("name", email), null, sub, List.of("student")));
    });
  }

  @Override
  public Future<JsonObject> rotateSigningKey() {
    return keys.rotate().map(kid -> {
      // Gateways reload the JWKS at once instead of waiting for a token with an unknown kid.
      vertx.eventBus().publish(AuthService.KEYS_CHANGED, kid);
      return new JsonObject().put("kid", kid);
    });
  }

  @Override
  public Future<JsonObject> jwks() {
    return keys.jwks();
  }

  /** Creates the configured first admin, or gives the existing account the admin role. */
  Future<Void> ensureAdmin() {
    String email = normalizeEmail(config.adminEmail());
    if (email == null || config.adminPassword().isBlank()) {
      return Future.succeededFuture();
    }
    return repo.byEmail(pool, email).compose(existing -> {
      if (existing != null) {
        if (existing.roles().contains("admin")) {
          return Future.succeededFuture();
        }
        List<String> roles = new ArrayList<>(existing.roles());
        roles.add("admin");
        return repo.setRoles(pool, existing.id(), roles).mapEmpty();
      }
      return vertx.executeBlocking(() -> Passwords.hash(config.adminPassword()), false)
          .compose(hash -> pool.withTransaction(tx -> createUser(tx, email, config.adminName(), hash, null,
              List.of("admin"))))
          .recover(err -> isUniqueViolation(err) ? Future.succeededFuture() : Future.failedFuture(err))
          .mapEmpty();
    });
  }

  // Helpers

  static String normalizeEmail(String email) {
    if (email == null) {
      return null;
    }
    String e = email.trim().toLowerCase(Locale.ROOT);
    return e.length() <= 254 && EMAIL.matcher(e).matches() ? e : null;
  }

  private static boolean isUniqueViolation(Throwable err) {
    return err instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  private static UUID uuid(String id) {
    try {
      return id == null ? null : UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String userAgent(JsonObject client) {
    String ua = client == null ? null : client.getString("userAgent");
    return ua == null ? null : ua.substring(0, Math.min(ua.length(), 512));
  }

  private static String ip(JsonObject client) {
    return client == null ? null : client.getString("ip");
  }

  @Override
  public Future<String> signCredential(String subject, JsonObject vc) {
    JsonObject claims = new JsonObject().put("vc", vc).put("jti", "urn:uuid:" + UUID.randomUUID())
        .put("nbf", System.currentTimeMillis() / 1000);
    return keys.signCredential(claims, new JWTOptions().setSubject(subject).setIssuer(config.issuer()));
  }
}
