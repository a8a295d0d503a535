package io.azora.auth;

import io.azora.platform.SharedRedis;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The gateways' session deny-list, kept durable. A revocation (logout, a revoked session, a reset
 * password, a refresh token reused) is committed in auth's database first; its Redis entry is written
 * at once when Redis answers, and otherwise by the sweep, which also re-applies every recent revocation
 * when Redis has lost them (restarted empty: the marker key is gone). Entries live as long as an access
 * token may.
 */
final class Revocations {

  private static final Logger log = LoggerFactory.getLogger(Revocations.class);

  private final Vertx vertx;
  private final Pool pool;
  private final Redis redis;
  private final String keyPrefix;
  private final String marker;
  private final int entrySeconds;
  private final AuthRepository repo = new AuthRepository();

  Revocations(Vertx vertx, Pool pool, Redis redis, String keyPrefix, int accessTokenTtlSeconds) {
    this.vertx = vertx;
    this.pool = pool;
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.marker = SharedRedis.DenyList.marker(keyPrefix);
    this.entrySeconds = accessTokenTtlSeconds + 60;
  }

  /**
   * Puts revoked sessions on the deny-list. Never fails because of Redis: the revocations are committed,
   * and what cannot be written now stays pending for the sweep.
   */
  Future<Void> deny(List<UUID> sessionIds) {
    if (sessionIds.isEmpty()) {
      return Future.succeededFuture();
    }
    // Open sockets of these sessions close now, on every gateway (access tokens are refused via Redis).
    vertx.eventBus().publish(IdentityService.SESSIONS_REVOKED,
        new JsonObject().put("sessionIds", new JsonArray(sessionIds.stream().map(UUID::toString).toList())));
    return write(sessionIds).recover(err -> {
      log.warn("Deny-list write of {} session(s) postponed (Redis: {}); the sweep will apply it", sessionIds.size(),
          err.getMessage());
      return Future.succeededFuture();
    });
  }

  private Future<Void> write(List<UUID> sessionIds) {
    List<Request> sets = new ArrayList<>(sessionIds.size());
    for (UUID id : sessionIds) {
      sets.add(Request.cmd(Command.SET).arg(SharedRedis.DenyList.key(keyPrefix, id.toString())).arg("1").arg("EX")
          .arg(entrySeconds));
    }
    return redis.batch(sets).compose(v -> repo.denyApplied(pool, sessionIds));
  }

  /**
   * Writes what is pending; if Redis lost its deny-list (the marker is missing: restarted, flushed), writes
   * every revocation still within an access token's lifetime, then sets the marker.
   */
  Future<Void> sweep() {
    return redis.send(Request.cmd(Command.EXISTS).arg(marker))
        .compose(exists -> {
          boolean lost = exists.toInteger() == 0;
          return repo.revokedSince(pool, entrySeconds, lost).compose(ids -> {
            Future<Void> written = ids.isEmpty() ? Future.succeededFuture() : write(ids);
            if (!ids.isEmpty()) {
              log.info("Deny-list: {} revoked session(s) written{}", ids.size(), lost ? " again (Redis had lost them)" : "");
            }
            return lost ? written.compose(v -> redis.send(Request.cmd(Command.SET).arg(marker).arg("1"))).mapEmpty() : written;
          });
        });
  }
}
