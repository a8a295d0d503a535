package io.azora.auth;

import io.azora.platform.AzoraConfig;
import io.azora.platform.CallerAssertion;
import io.azora.platform.Databases;
import io.azora.platform.Nexus;
import io.azora.platform.Periodic;
import io.azora.platform.Services;
import io.azora.platform.StopList;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** Wires auth: its database and migrations, signing keys, first admin, the service on the bus, its outbox relay. */
public class AuthVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(AuthVerticle.class);

  private Pool pool;
  private Redis redis;
  private final StopList running = new StopList();

  @Override
  public Future<?> start() {
    AzoraConfig config = AzoraConfig.from(config());
    redis = Services.redis(vertx, config.redis());
    Mailer mailer = running.add(new Mailer(vertx, config.mail()), Mailer::close);
    // Passwords' first use loads native argon2 and computes a dummy hash: on a worker, while the database
    // opens and migrates (one after the other, they added up in a restarted node's time to ready).
    Future<String> warmUp = vertx.executeBlocking(() -> Passwords.hash("warm-up"), false);
    Future<Pool> opened = Databases.open(vertx, config.database(), "auth").onSuccess(p -> pool = p);
    return Future.all(warmUp, opened)
        .compose(both -> {
          return SecretBox.load(pool, config.auth().totpKeys());
        })
        .compose(secrets -> {
          // Retired keys stay published for a token lifetime (plus leeway) after rotation.
          int ttl = config.auth().accessTokenTtlSeconds();
          SigningKeys keys = new SigningKeys(vertx, pool, Duration.ofDays(config.auth().signingKeyRotationDays()), ttl, ttl + 300);
          Revocations revocations = new Revocations(vertx, pool, redis, config.redis().keyPrefix(), ttl);
          AuthServiceImpl service = new AuthServiceImpl(vertx, pool, config, keys, new GoogleSignIn(vertx, pool, config.google()),
              secrets, mailer, revocations);
          // Every node picks up a rotation within a minute, well inside the retired key's publication window.
          every(Duration.ofMinutes(1), keys::refresh, "Signing key refresh failed");
          every(Duration.ofHours(1), service::purge, "Purge of old auth rows failed");
          every(Duration.ofSeconds(3), revocations::sweep, "Deny-list sweep postponed");
          // A rotation by any auth instance, on any node, is picked up by all at once.
          running.add(vertx.eventBus().consumer(IdentityService.KEYS_CHANGED, msg -> keys.refresh()
              .onFailure(err -> log.warn("Signing key refresh failed", err))), MessageConsumer::unregister);
          // In the background: a large user table must not hold up the start.
          secrets.resealOld(pool)
              .onSuccess(n -> {
                if (n > 0) {
                  log.info("Re-encrypted {} TOTP secret(s) with key {}", n, secrets.activeKid());
                }
              })
              .onFailure(err -> log.warn("Re-encryption of TOTP secrets postponed to the next start: {}", err.getMessage()));
          return keys.refresh()
              .compose(v -> service.ensureAdmin())
              .compose(v -> Nexus.relay(vertx, config, AuthEvents.SOURCE))
              .compose(relay -> {
                running.add(relay, Nexus.Relay::release);
                IdentityService identity = new IdentityServiceImpl(pool, new AuthRepository(), keys, config.auth());
                MessageConsumer<JsonObject> identityBinding = running.add(
                    Services.bind(vertx, IdentityService.ADDRESS, IdentityService.class, identity), MessageConsumer::unregister);
                // Ready only when both services are reachable cluster-wide.
                return Future.all(identityBinding.completion(), Services.serve(vertx, running, AuthService.ADDRESS,
                    AuthService.class, service, AuthEvents.SOURCE, pool,
                    // Acting for a user needs that user's verified caller; roles and keys need an admin.
                    CallerAssertion.Rule.userIdActs(List.of("setRoles", "rotateSigningKey")))).mapEmpty();
              });
        });
  }

  /** Runs {@code task} periodically until the verticle stops (a run in flight finishes before the pool closes). */
  private void every(Duration period, Supplier<Future<?>> task, String failure) {
    running.add(Periodic.every(vertx, period, task, failure), Periodic::stop);
  }

  @Override
  public Future<?> stop() {
    return running.stopAll()
        .eventually(() -> pool == null ? Future.succeededFuture() : pool.close())
        .eventually(() -> redis.close());
  }
}
