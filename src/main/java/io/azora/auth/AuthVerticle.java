package io.azora.auth;

import io.azora.platform.AzoraConfig;
import io.azora.platform.Databases;
import io.azora.platform.Nexus;
import io.azora.platform.OutboxRelay;
import io.azora.platform.Services;
import io.azora.platform.StopList;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/** Wires auth: its database and migrations, signing keys, first admin, the service on the bus, its outbox relay. */
public class AuthVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(AuthVerticle.class);

  private Pool pool;
  private Redis redis;
  private final StopList running = new StopList();
  private long keyTimer = -1;
  private long purgeTimer = -1;

  @Override
  public Future<?> start() {
    AzoraConfig config = AzoraConfig.from(config());
    redis = Services.redis(vertx, config.redis());
    // Passwords' first use loads native argon2 and computes a dummy hash: do it on a worker.
    return vertx.executeBlocking(() -> Passwords.hash("warm-up"), false)
        .compose(warm -> Databases.open(vertx, config.database(), "auth")).compose(p -> {
      pool = p;
      // Retired keys stay published for a token lifetime (plus leeway) after rotation.
      SigningKeys keys = new SigningKeys(vertx, pool, Duration.ofDays(config.auth().signingKeyRotationDays()),
          config.auth().accessTokenTtlSeconds() + 300);
      AuthServiceImpl service = new AuthServiceImpl(vertx, pool, redis, config, keys,
          new GoogleSignIn(vertx, pool, config.google()));
      // Every node picks up a rotation within a minute, well inside the retired key's publication window.
      keyTimer = vertx.setPeriodic(Duration.ofMinutes(1).toMillis(), id -> keys.refresh()
          .onFailure(err -> log.warn("Signing key refresh failed", err)));
      purgeTimer = vertx.setPeriodic(Duration.ofHours(1).toMillis(), id -> service.purge()
          .onFailure(err -> log.warn("Purge of old auth rows failed", err)));
      // A rotation by any auth instance, on any node, is picked up by all at once.
      vertx.eventBus().consumer(AuthService.KEYS_CHANGED, msg -> keys.refresh()
          .onFailure(err -> log.warn("Signing key refresh failed", err)));
      return keys.refresh()
          .compose(v -> service.ensureAdmin())
          .compose(v -> Nexus.relay(vertx, pool, AuthServiceImpl.SOURCE))
          .compose(relay -> {
            running.add(relay, OutboxRelay::stop);
            return Services.serve(vertx, running, AuthService.ADDRESS, AuthService.class, service,
                AuthServiceImpl.SOURCE, pool);
          });
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(keyTimer);
    vertx.cancelTimer(purgeTimer);
    return running.stopAll()
        .eventually(() -> pool == null ? Future.succeededFuture() : pool.close())
        .eventually(() -> redis.close());
  }
}
