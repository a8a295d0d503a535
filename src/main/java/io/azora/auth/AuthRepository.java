package io.azora.auth;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/** All of auth's SQL, and nothing else. */
final class AuthRepository {

  private static final String USER_COLUMNS =
      "id, email, name, password_hash, google_sub, roles, mfa_secret, mfa_key_id, mfa_enabled, mfa_last_step, "
          + "email_verified, created_at";

  /** A user row as the domain sees it; {@code mfaSecret} as stored (sealed by {@link SecretBox} with {@code mfaKeyId}). */
  record User(UUID id, String email, String name, String passwordHash, String googleSub, List<String> roles,
              String mfaSecret, String mfaKeyId, boolean mfaEnabled, long mfaLastStep, boolean emailVerified,
              OffsetDateTime createdAt) {

    /** The contract's user: {id, email, name, roles, role, mfaEnabled, emailVerified, createdAt}. */
    JsonObject toJson() {
      return new JsonObject().put("id", id.toString()).put("email", email).put("name", name)
          .put("roles", new JsonArray(roles)).put("role", primaryRole(roles)).put("mfaEnabled", mfaEnabled)
          .put("emailVerified", emailVerified).put("createdAt", rfc3339(createdAt));
    }
  }

  record Session(UUID id, UUID userId, boolean active) {
  }

  static String primaryRole(List<String> roles) {
    for (String r : List.of("admin", "instructor", "employer", "student")) {
      if (roles.contains(r)) {
        return r;
      }
    }
    return roles.isEmpty() ? "student" : roles.get(0);
  }

  static String rfc3339(OffsetDateTime t) {
    return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString();
  }

  private static User user(Row r) {
    return new User(r.getUUID("id"), r.getString("email"), r.getString("name"), r.getString("password_hash"),
        r.getString("google_sub"), List.of(r.getArrayOfStrings("roles")), r.getString("mfa_secret"),
        r.getString("mfa_key_id"), r.getBoolean("mfa_enabled"), r.getLong("mfa_last_step"), r.getBoolean("email_verified"),
        r.getOffsetDateTime("created_at"));
  }

  private static User first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : user(rows.iterator().next());
  }

  Future<User> insertUser(SqlClient db, UUID id, String email, String name, String passwordHash, String googleSub,
                          List<String> roles, boolean emailVerified) {
    return db.preparedQuery("INSERT INTO users (id, email, name, password_hash, google_sub, roles, email_verified) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " + USER_COLUMNS)
        .execute(Tuple.of(id, email, name, passwordHash, googleSub).addArrayOfString(roles.toArray(new String[0]))
            .addBoolean(emailVerified))
        .map(AuthRepository::first);
  }

  Future<User> byEmail(SqlClient db, String email) {
    return db.preparedQuery("SELECT " + USER_COLUMNS + " FROM users WHERE email = $1")
        .execute(Tuple.of(email)).map(AuthRepository::first);
  }

  Future<User> byId(SqlClient db, UUID id) {
    return db.preparedQuery("SELECT " + USER_COLUMNS + " FROM users WHERE id = $1")
        .execute(Tuple.of(id)).map(AuthRepository::first);
  }

  /** The user row, locked for the rest of the transaction (MFA changes). */
  Future<User> byIdForUpdate(SqlClient db, UUID id) {
    return db.preparedQuery("SELECT " + USER_COLUMNS + " FROM users WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(id)).map(AuthRepository::first);
  }

  Future<User> byGoogleSub(SqlClient db, String sub) {
    return db.preparedQuery("SELECT " + USER_COLUMNS + " FROM users WHERE google_sub = $1")
        .execute(Tuple.of(sub)).map(AuthRepository::first);
  }

  Future<User> linkGoogle(SqlClient db, UUID id, String sub) {
    return db.preparedQuery("UPDATE users SET google_sub = $2 WHERE id = $1 RETURNING " + USER_COLUMNS)
        .execute(Tuple.of(id, sub)).map(AuthRepository::first);
  }

  Future<User> setRoles(SqlClient db, UUID id, List<String> roles) {
    return db.preparedQuery("UPDATE users SET roles = $2 WHERE id = $1 RETURNING " + USER_COLUMNS)
        .execute(Tuple.tuple().addUUID(id).addArrayOfString(roles.toArray(new String[0]))).map(AuthRepository::first);
  }

  /** Stores the (sealed) TOTP secret with its key id, whether MFA is on, and the last time step used. */
  Future<Void> setMfa(SqlClient db, UUID id, SecretBox.Sealed secret, boolean enabled, long lastStep) {
    return db.preparedQuery("UPDATE users SET mfa_secret = $2, mfa_key_id = $3, mfa_enabled = $4, mfa_last_step = $5 WHERE id = $1")
        .execute(Tuple.of(id, secret == null ? null : secret.ciphertext(), secret == null ? null : secret.kid(), enabled,
            lastStep)).mapEmpty();
  }

  /** Marks the last TOTP time step used (each code works once). */
  Future<Void> useTotpStep(SqlClient db, UUID id, long step) {
    return db.preparedQuery("UPDATE users SET mfa_last_step = $2 WHERE id = $1").execute(Tuple.of(id, step)).mapEmpty();
  }

  Future<Void> setPassword(SqlClient db, UUID id, String passwordHash) {
    return db.preparedQuery("UPDATE users SET password_hash = $2 WHERE id = $1").execute(Tuple.of(id, passwordHash)).mapEmpty();
  }

  /** Marks the email verified if the user still has {@code email}; the user, or null. */
  Future<User> verifyEmail(SqlClient db, UUID id, String email) {
    return db.preparedQuery("UPDATE users SET email_verified = true WHERE id = $1 AND email = $2 RETURNING " + USER_COLUMNS)
        .execute(Tuple.of(id, email)).map(AuthRepository::first);
  }

  // Mail tokens (verification, password reset)

  Future<Void> insertEmailToken(SqlClient db, byte[] hash, UUID userId, String purpose, String email, OffsetDateTime expiresAt) {
    return db.preparedQuery("INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(Buffer.buffer(hash), userId, purpose, email, expiresAt)).mapEmpty();
  }

  /** True if a token of {@code purpose} was mailed to the user less than {@code seconds} ago (mail is not a firehose). */
  Future<Boolean> mailedRecently(SqlClient db, UUID userId, String purpose, int seconds) {
    return db.preparedQuery("SELECT 1 FROM email_tokens WHERE user_id = $1 AND purpose = $2 "
            + "AND created_at > now() - make_interval(secs => $3) LIMIT 1")
        .execute(Tuple.of(userId, purpose, seconds)).map(rows -> rows.size() > 0);
  }

  /** Spends a live token of {@code purpose}: {user_id, email}, or null if it is unknown, used or expired. */
  Future<Row> spendEmailToken(SqlClient db, byte[] hash, String purpose) {
    return db.preparedQuery("UPDATE email_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = $2 "
            + "AND used_at IS NULL AND expires_at > now() RETURNING user_id, email")
        .execute(Tuple.of(Buffer.buffer(hash), purpose)).map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  /** Spends every other live token of the user for {@code purpose} (a reset makes the others worthless). */
  Future<Void> spendEmailTokens(SqlClient db, UUID userId, String purpose) {
    return db.preparedQuery("UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
        .execute(Tuple.of(userId, purpose)).mapEmpty();
  }

  // Trusted devices

  Future<Void> trustDevice(SqlClient db, byte[] hash, UUID userId) {
    return db.preparedQuery("INSERT INTO trusted_devices (token_hash, user_id) VALUES ($1, $2) "
            + "ON CONFLICT (token_hash) DO UPDATE SET last_used_at = now() WHERE trusted_devices.user_id = $2")
        .execute(Tuple.of(Buffer.buffer(hash), userId)).mapEmpty();
  }

  /** True when the device token was given to this user at a sign-in. */
  Future<Boolean> trustedDevice(SqlClient db, byte[] hash, UUID userId) {
    return db.preparedQuery("SELECT 1 FROM trusted_devices WHERE token_hash = $1 AND user_id = $2")
        .execute(Tuple.of(Buffer.buffer(hash), userId)).map(rows -> rows.size() > 0);
  }

  // Sessions and refresh tokens

  Future<Void> insertSession(SqlClient db, UUID id, UUID userId, OffsetDateTime expiresAt, String userAgent, String ip) {
    return db.preparedQuery("INSERT INTO sessions (id, user_id, expires_at, user_agent, ip) VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(id, userId, expiresAt, userAgent, ip)).mapEmpty();
  }

  Future<Void> insertRefreshToken(SqlClient db, byte[] hash, UUID sessionId) {
    return db.preparedQuery("INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)")
        .execute(Tuple.of(Buffer.buffer(hash), sessionId)).mapEmpty();
  }

  /** The refresh token's state: {sessionId, userId, spent, sessionActive}, or null when unknown. */
  Future<Row> refreshTokenForUpdate(SqlClient db, byte[] hash) {
    return db.preparedQuery("""
            SELECT t.session_id, t.spent_at IS NOT NULL AS spent, s.user_id,
                   (s.revoked_at IS NULL AND s.expires_at > now()) AS session_active
            FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
            WHERE t.token_hash = $1 FOR UPDATE OF t, s""")
        .execute(Tuple.of(Buffer.buffer(hash)))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  Future<Void> spendRefreshToken(SqlClient db, byte[] hash) {
    return db.preparedQuery("UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = $1")
        .execute(Tuple.of(Buffer.buffer(hash))).mapEmpty();
  }

  Future<Void> touchSession(SqlClient db, UUID sessionId, String userAgent, String ip) {
    return db.preparedQuery("UPDATE sessions SET last_used_at = now(), user_agent = coalesce($2, user_agent), "
            + "ip = coalesce($3, ip) WHERE id = $1")
        .execute(Tuple.of(sessionId, userAgent, ip)).mapEmpty();
  }

  /** Revokes every active session of the user but {@code keep} (may be null): their ids. */
  Future<List<UUID>> revokeSessions(SqlClient db, UUID userId, UUID keep) {
    return db.preparedQuery("UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL "
            + "AND ($2::uuid IS NULL OR id <> $2) RETURNING id")
        .execute(Tuple.of(userId, keep)).map(AuthRepository::ids);
  }

  /** Sessions revoked in the last {@code seconds} whose deny-list entry is not known to be written ({@code all}: every one). */
  Future<List<UUID>> revokedSince(SqlClient db, int seconds, boolean all) {
    return db.preparedQuery("SELECT id FROM sessions WHERE revoked_at > now() - make_interval(secs => $1) "
            + "AND ($2 OR deny_applied_at IS NULL) ORDER BY revoked_at LIMIT 10000")
        .execute(Tuple.of(seconds, all)).map(AuthRepository::ids);
  }

  private static List<UUID> ids(RowSet<Row> rows) {
    List<UUID> ids = new java.util.ArrayList<>(rows.size());
    rows.forEach(r -> ids.add(r.getUUID(0)));
    return ids;
  }

  /** Marks the sessions' deny-list entries as written to Redis. */
  Future<Void> denyApplied(SqlClient db, List<UUID> sessionIds) {
    return db.preparedQuery("UPDATE sessions SET deny_applied_at = now() WHERE id = ANY ($1)")
        .execute(Tuple.of(sessionIds.toArray(new UUID[0]))).mapEmpty();
  }

  /**
   * Revokes the session if it belongs to {@code userId} (any user when null); true when it is theirs,
   * revoked now or before (so a retried revocation still reaches the deny-list).
   */
  Future<Boolean> revokeSession(SqlClient db, UUID sessionId, UUID userId) {
    return db.preparedQuery("UPDATE sessions SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 "
            + "AND ($2::uuid IS NULL OR user_id = $2) RETURNING id")
        .execute(Tuple.of(sessionId, userId)).map(rows -> rows.size() > 0);
  }

  Future<Boolean> sessionActive(SqlClient db, UUID sessionId) {
    return db.preparedQuery("SELECT 1 FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()")
        .execute(Tuple.of(sessionId)).map(rows -> rows.size() > 0);
  }

  /**
   * A page of the user's active sessions, newest first: {items, nextCursor}. The cursor is opaque to
   * clients (the last item's creation time and id).
   */
  Future<JsonObject> activeSessions(SqlClient db, UUID userId, String current, int limit, String cursor) {
    OffsetDateTime beforeTime = null;
    UUID beforeId = null;
    if (cursor != null) {
      String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
      beforeTime = OffsetDateTime.parse(parts[0]);
      beforeId = UUID.fromString(parts[1]);
    }
    return db.preparedQuery("""
            SELECT id, created_at, last_used_at, user_agent, ip FROM sessions
            WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
              AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
            ORDER BY created_at DESC, id DESC LIMIT $4""")
        .execute(Tuple.of(userId, beforeTime, beforeId, limit + 1))
        .map(rows -> {
          JsonArray items = new JsonArray();
          String next = null;
          for (Row r : rows) {
            if (items.size() == limit) {
              break;
            }
            items.add(new JsonObject().put("id", r.getUUID("id").toString())
                .put("createdAt", rfc3339(r.getOffsetDateTime("created_at")))
                .put("lastUsedAt", rfc3339(r.getOffsetDateTime("last_used_at")))
                .put("userAgent", r.getString("user_agent")).put("ip", r.getString("ip"))
                .put("current", r.getUUID("id").toString().equals(current)));
            next = Base64.getUrlEncoder().withoutPadding().encodeToString(
                (r.getOffsetDateTime("created_at") + "|" + r.getUUID("id")).getBytes(StandardCharsets.UTF_8));
          }
          return new JsonObject().put("items", items).put("nextCursor", rows.size() > limit ? next : null);
        });
  }

  /** Forgets what no longer matters: finished flows and challenges, old sessions, stale throttles. */
  Future<Void> purge(SqlClient db) {
    return db.query("""
            WITH f AS (DELETE FROM oauth_flows WHERE created_at < now() - interval '1 day'),
                 c AS (DELETE FROM mfa_challenges WHERE expires_at < now() - interval '1 day'),
                 t AS (DELETE FROM login_throttle WHERE last_failure < now() - interval '1 day'),
                 r AS (DELETE FROM refresh_tokens WHERE spent_at < now() - interval '7 days'),
                 m AS (DELETE FROM email_tokens WHERE expires_at < now() - interval '7 days'),
                 d AS (DELETE FROM trusted_devices WHERE last_used_at < now() - interval '400 days')
            DELETE FROM sessions WHERE revoked_at < now() - interval '7 days' OR expires_at < now() - interval '7 days'""")
        .execute().mapEmpty();
  }

  // Login throttling

  /**
   * Counts an attempt of {@code subject} before its outcome is known (so parallel guesses are counted
   * too) and answers the seconds it must still wait, 0 when this attempt may proceed. A success clears the
   * count ({@link #clearFailures}). After {@code freeAttempts} the subject waits base × 2^(extra attempts)
   * seconds, capped; attempts older than the cap are forgotten, so nobody is locked out for good.
   */
  Future<Long> countAttempt(SqlClient db, String subject, int freeAttempts, int baseSeconds, int maxSeconds) {
    return db.preparedQuery("""
            INSERT INTO login_throttle AS t (subject, failures, last_failure, blocked_until)
            VALUES ($1, 1, clock_timestamp(), '-infinity')
            ON CONFLICT (subject) DO UPDATE SET
              failures = CASE WHEN t.last_failure < clock_timestamp() - make_interval(secs => $4) THEN 1 ELSE t.failures + 1 END,
              last_failure = clock_timestamp(),
              blocked_until = CASE
                WHEN t.last_failure < clock_timestamp() - make_interval(secs => $4) OR t.failures + 1 < $2 THEN '-infinity'
                ELSE clock_timestamp() + make_interval(secs => least($4, $3 * power(2, least(t.failures + 1 - $2, 20))))
              END
            WHERE t.blocked_until <= clock_timestamp()
            RETURNING failures""")
        .execute(Tuple.of(subject, freeAttempts, baseSeconds, maxSeconds))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(0L)
            : db.preparedQuery("SELECT greatest(1, ceil(extract(epoch FROM blocked_until - clock_timestamp())))::bigint "
                    + "FROM login_throttle WHERE subject = $1")
                .execute(Tuple.of(subject)).map(r -> r.size() == 0 ? 1L : r.iterator().next().getLong(0)));
  }

  Future<Void> clearFailures(SqlClient db, String subject) {
    return db.preparedQuery("DELETE FROM login_throttle WHERE subject = $1").execute(Tuple.of(subject)).mapEmpty();
  }

  // MFA

  Future<Void> insertChallenge(SqlClient db, byte[] hash, UUID userId, OffsetDateTime expiresAt) {
    return db.preparedQuery("INSERT INTO mfa_challenges (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .execute(Tuple.of(Buffer.buffer(hash), userId, expiresAt)).mapEmpty();
  }

  /** The user id of a live, unused challenge with attempts left, locked; null otherwise. */
  Future<UUID> challengeForUpdate(SqlClient db, byte[] hash, int maxAttempts) {
    return db.preparedQuery("SELECT user_id FROM mfa_challenges WHERE token_hash = $1 AND used_at IS NULL "
            + "AND expires_at > now() AND attempts < $2 FOR UPDATE")
        .execute(Tuple.of(Buffer.buffer(hash), maxAttempts))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID(0));
  }

  Future<Void> challengeAttempt(SqlClient db, byte[] hash, boolean success) {
    return db.preparedQuery("UPDATE mfa_challenges SET attempts = attempts + 1, "
            + "used_at = CASE WHEN $2 THEN now() ELSE used_at END WHERE token_hash = $1")
        .execute(Tuple.of(Buffer.buffer(hash), success)).mapEmpty();
  }

  Future<Void> replaceRecoveryCodes(SqlClient db, UUID userId, List<byte[]> hashes) {
    return db.preparedQuery("DELETE FROM recovery_codes WHERE user_id = $1").execute(Tuple.of(userId))
        .compose(v -> hashes.isEmpty() ? Future.succeededFuture() :
            db.preparedQuery("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .executeBatch(hashes.stream().map(h -> Tuple.of(userId, Buffer.buffer(h))).toList()))
        .mapEmpty();
  }

  /** Marks an unused recovery code used; true when there was one. */
  Future<Boolean> useRecoveryCode(SqlClient db, UUID userId, byte[] hash) {
    return db.preparedQuery("UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 "
            + "AND used_at IS NULL RETURNING user_id")
        .execute(Tuple.of(userId, Buffer.buffer(hash))).map(rows -> rows.size() > 0);
  }

  // Google sign-in flows

  Future<Void> insertFlow(SqlClient db, String state, String nonce, String verifier, byte[] browserHash) {
    return db.preparedQuery("INSERT INTO oauth_flows (state, nonce, code_verifier, browser_hash) VALUES ($1, $2, $3, $4)")
        .execute(Tuple.of(state, nonce, verifier, Buffer.buffer(browserHash))).mapEmpty();
  }

  /**
   * Consumes a flow started less than 10 minutes ago by the browser holding the cookie whose hash is
   * {@code browserHash}: {nonce, code_verifier}, or null (unknown, used, expired, or another browser's).
   */
  Future<Row> consumeFlow(SqlClient db, String state, byte[] browserHash) {
    return db.preparedQuery("UPDATE oauth_flows SET used_at = now() WHERE state = $1 AND used_at IS NULL "
            + "AND created_at > now() - interval '10 minutes' AND browser_hash = $2 RETURNING nonce, code_verifier")
        .execute(Tuple.of(state, Buffer.buffer(browserHash))).map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }
}
