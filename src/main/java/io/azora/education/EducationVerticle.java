package io.azora.education;

import io.azora.auth.IdentityService;
import io.azora.finance.FinanceEvents;
import io.azora.finance.FinanceService;
import io.azora.platform.AzoraConfig;
import io.azora.platform.CallerAssertion;
import io.azora.platform.Databases;
import io.azora.platform.ReadPool;
import io.azora.platform.Deadline;
import io.azora.platform.Nexus;
import io.azora.platform.NexusSubscription;
import io.azora.platform.OutboxRelay;
import io.azora.platform.Services;
import io.azora.platform.SharedRedis;
import io.azora.platform.StopList;
import io.azora.platform.VersionedCache;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** Wires education: its database (azora_education) and migrations, the service on the bus, its outbox relay. */
public class EducationVerticle extends VerticleBase {

  private Pool pool;
  private Redis redis;
  private final StopList running = new StopList();
  private final List<NexusSubscription> subscriptions = new ArrayList<>();

  @Override
  public Future<?> start() {
    AzoraConfig config = AzoraConfig.from(config());
    return Databases.open(vertx, config.database(), "education").compose(p -> {
      pool = p;
      return ReadPool.open(vertx, config.database(), "education", pool);
    }).compose(searches -> {
      running.add(searches, ReadPool::close);
      long timeout = config.http().serviceTimeoutMs();
      // Proxies made per call: each call waits no longer than the request being served has left.
      Supplier<FinanceService> finance = () -> FinanceService.createProxy(vertx, Deadline.delivery(timeout));
      Supplier<IdentityService> auth = () -> IdentityService.createProxy(vertx, Deadline.delivery(timeout));
      Completion completion = new Completion(pool, auth);
      EducationConfig education = EducationConfig.from(config());
      redis = Services.redis(vertx, config.redis());
      VersionedCache cache = new VersionedCache(SharedRedis.Catalog.versionKey(config.redis().keyPrefix()),
          SharedRedis.Catalog.entryPrefix(config.redis().keyPrefix()), "Catalogue");
      // After a committed change: its event goes out at once, and the cache is invalidated.
      CatalogQueries queries = new CatalogQueries(pool);
      CatalogCommands catalog = new CatalogCommands(pool, education, queries, eventId -> {
        OutboxRelay.nudge(vertx, EducationEvents.SOURCE);
        return cache.invalidate(redis, eventId);
      }, () -> OutboxRelay.nudge(vertx, EducationEvents.SOURCE));
      CatalogReads reads = new CatalogReads(redis, cache, education.catalogCacheSeconds(),
          new CourseSearch(searches), queries);
      RewardWait rewards = new RewardWait(vertx, pool, education.rewardWaitMs());
      Assessments assessments = new Assessments(vertx, pool, completion, education, rewards);
      EducationServiceImpl service = new EducationServiceImpl(catalog, reads,
          new Enrollments(vertx, pool, finance, completion), assessments, completion);
      return running.add(rewards, RewardWait::stop).start()
          .compose(v -> Nexus.relay(vertx, config, EducationEvents.SOURCE))
          .compose(relay -> {
            running.add(relay, Nexus.Relay::release);
            // Finance reports the reward of each pass; the attempt's answer shows it.
            return Nexus.subscribe(vertx, pool, "education", Set.of(FinanceEvents.TOKENS_MINED), rewards::onMined);
          })
          .compose(rewardNotices -> {
            running.add(rewardNotices, NexusSubscription::stop);
            subscriptions.add(rewardNotices);
            // Catalogue changes invalidate the cache again from their own events (durably; see VersionedCache).
            return Nexus.subscribe(vertx, pool, "education.catalog-cache",
                Set.of(EducationEvents.COURSE_PUBLISHED, EducationEvents.COURSE_UPDATED), (tx, event) -> cache.onChanged(redis, event.id()));
          })
          .compose(cacheEvents -> {
            running.add(cacheEvents, NexusSubscription::stop);
            subscriptions.add(cacheEvents);
            running.add(Nexus.parkedEvents(vertx, pool, EducationEvents.SOURCE, subscriptions), MessageConsumer::unregister);
            // A call acting for a caller (enrolling, authoring, verifying) needs that caller as the gateway verified it.
            return Services.serve(vertx, running, EducationService.ADDRESS, EducationService.class, service,
                EducationEvents.SOURCE, pool, CallerAssertion.Rule.CALLER_ONLY);
          });
    });
  }

  @Override
  public Future<?> stop() {
    return running.stopAll()
        .eventually(() -> pool == null ? Future.succeededFuture() : pool.close())
        .eventually(() -> redis == null ? Future.succeededFuture() : redis.close());
  }
}
