package io.azora.auth;

import io.azora.auth.AuthRepository.User;
import io.azora.platform.AzoraConfig;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Sessions and their tokens: opening one at sign-in (with the browser's trusted-device token), refresh-token
 * rotation with reuse detection, listing and revoking; every revocation is durable and reaches the
 * gateways' deny-list ({@link Revocations}).
 */
final class Sessions {

  private final Pool pool;
  private final AzoraConfig.Auth config;
  private final SigningKeys keys;
  private final AuthRepository repo;
  private final Revocations revocations;

  Sessions(Pool pool, AzoraConfig.Auth config, SigningKeys keys, AuthRepository repo, Revocations revocations) {
    this.pool = pool;
    this.config = config;
    this.keys = keys;
    this.repo = repo;
    this.revocations = revocations;
  }

  /**
   * Opens a session and returns the contract's token response, with the trusted-device token of the
   * browser ({@code deviceToken}: the one it sent if it was this user's, else a new one) for the gateway
   * to set as a cookie.
   */
  Future<JsonObject> open(SqlClient tx, User user, JsonObject client) {
    UUID sessionId = UUID.randomUUID();
    String refreshToken = Secrets.token();
    OffsetDateTime expires = OffsetDateTime.now().plusDays(config.refreshTokenTtlDays());
    String sent = client == null ? null : client.getString("device");
    String device = sent != null && sent.length() <= 100 ? sent : Secrets.token();
    return repo.insertSession(tx, sessionId, user.id(), expires, userAgent(client), ip(client))
        .compose(v -> repo.insertRefreshToken(tx, Secrets.sha256(refreshToken), sessionId))
        // A token another account trusted is not taken over: this user gets a new one.
        .compose(v -> repo.trustedDevice(tx, Secrets.sha256(device), user.id()).compose(mine -> {
          String token = mine || sent == null ? device : Secrets.token();
          return repo.trustDevice(tx, Secrets.sha256(token), user.id()).map(token);
        }))
        .map(token -> tokens(user, sessionId, refreshToken).put("deviceToken", token));
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

  /** Spends {@code refreshToken} for a new pair; a spent token presented again revokes its session. */
  Future<JsonObject> refresh(String refreshToken, JsonObject client) {
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
          Future<Void> denied = outcome instanceof UUID reusedSession ? revocations.deny(List.of(reusedSession))
              : Future.succeededFuture();
          return denied.compose(v -> Future.failedFuture(Problems.unauthorized(
              outcome instanceof UUID ? "Refresh token was already used; the session has been revoked"
                  : "Invalid or expired refresh token")));
        });
  }

  Future<Void> logout(UUID userId, UUID sessionId) {
    return sessionId == null ? Future.succeededFuture()
        : repo.revokeSession(pool, sessionId, userId).compose(v -> revocations.deny(List.of(sessionId)));
  }

  Future<JsonObject> list(UUID userId, String currentSessionId, int limit, String cursor) {
    try {
      return repo.activeSessions(pool, userId, currentSessionId, Math.max(1, Math.min(limit, 100)), cursor);
    } catch (RuntimeException badCursor) {
      return Problems.fail(Problems.invalid("cursor", "Unknown cursor"));
    }
  }

  /** Revokes one of the user's own sessions; 404 for anyone else's. */
  Future<Void> revoke(UUID userId, UUID sessionId) {
    if (sessionId == null) {
      return Problems.fail(Problems.notFound("No such session"));
    }
    return repo.revokeSession(pool, sessionId, userId)
        .compose(revoked -> revoked ? revocations.deny(List.of(sessionId)) : Problems.fail(Problems.notFound("No such session")));
  }

  /** Every session of the user but the current one ends, once {@code presence} proved it is them. */
  Future<JsonObject> revokeOthers(Presence presence, UUID userId, UUID currentSessionId, JsonObject request) {
    return pool.withTransaction(tx -> presence.prove(tx, userId, request, "password")
            .compose(user -> repo.revokeSessions(tx, user.id(), currentSessionId)))
        .compose(ids -> revocations.deny(ids).map(v -> new JsonObject().put("revoked", ids.size())));
  }

  static String userAgent(JsonObject client) {
    String ua = client == null ? null : client.getString("userAgent");
    return ua == null ? null : ua.substring(0, Math.min(ua.length(), 512));
  }

  static String ip(JsonObject client) {
    return client == null ? null : client.getString("ip");
  }
}
