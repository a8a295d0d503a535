package io.azora.marketplace;

import io.azora.education.EducationEvents;
import io.azora.finance.EscrowService;
import io.azora.platform.AzoraConfig;
import io.azora.platform.CallerAssertion;
import io.azora.platform.Databases;
import io.azora.platform.Deadline;
import io.azora.platform.Nexus;
import io.azora.platform.NexusSubscription;
import io.azora.platform.Periodic;
import io.azora.platform.ReadPool;
import io.azora.platform.Services;
import io.azora.platform.SharedRedis;
import io.azora.platform.StopList;
import io.azora.platform.VersionedCache;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;

import java.util.HashMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Wires the marketplace: its database (azora_forge) and migrations, its outbox relay, the verified-skills
 * read model it keeps from education's course.completed, the service, and the round that drives contract
 * steps whose answer from finance was lost.
 */
public class MarketplaceVerticle extends VerticleBase {

  static final String SOURCE = MarketplaceEvents.SOURCE;
  /** How often unfinished money steps (an answer from finance lost) are looked for. */
  static final long RECOVER_EVERY_MS = 5_000;

  private Pool pool;
  private Redis redis;
  private final StopList running = new StopList();

  @Override
  public Future<?> start() {
    AzoraConfig config = AzoraConfig.from(config());
    Skills skills = new Skills(synonyms(config()));
    return Databases.open(vertx, config.database(), SOURCE).compose(p -> {
      pool = p;
      return ReadPool.open(vertx, config.database(), SOURCE, pool);
    }).compose(searches -> {
      running.add(searches, ReadPool::close);
      redis = Services.redis(vertx, config.redis());
      String prefix = config.redis().keyPrefix();
      VersionedCache cache = new VersionedCache(SharedRedis.Jobs.versionKey(prefix), SharedRedis.Jobs.entryPrefix(prefix),
          "Job list");
      int ttl = SharedRedis.Jobs.ttlSeconds(config());
      Runnable jobsChanged = () -> cache.invalidate(redis, null);
      Jobs jobs = new Jobs(vertx, pool, searches, skills, (entry, load) -> cache.read(redis, entry, ttl, load), jobsChanged);
      Matches matches = new Matches(pool, (entry, load) -> cache.readText(redis, entry, ttl, load));
      return Nexus.relay(vertx, config, SOURCE)
          .compose(relay -> {
            running.add(relay, Nexus.Relay::release);
            // A verified skill changes what its holder's matches rank: the cache moves on with the event.
            return Nexus.subscribe(vertx, pool, SOURCE, Set.of(EducationEvents.COURSE_COMPLETED), (tx, event) ->
                skills.onCourseCompleted(tx, event).compose(changed -> changed ? cache.onChanged(redis, event.id())
                    : Future.succeededFuture()));
          })
          .compose(subscription -> {
            // Kept only from education's events, so rebuildable from its feed (a new synonym, a loss).
            subscription.rebuildable(tx -> tx.query("DELETE FROM verified_skills").execute().mapEmpty(), jobsChanged);
            // Again once the skill is committed: a ranking read between the handler's move and the commit
            // would otherwise stay cached without it (and a rebuild's replayed events move it on too).
            subscription.afterCommit(event -> jobsChanged.run());
            running.add(subscription, NexusSubscription::stop);
            running.add(Nexus.parkedEvents(vertx, pool, SOURCE, List.of(subscription)), MessageConsumer::unregister);
            long timeout = config.http().serviceTimeoutMs();
            // Proxies made per call: each call waits no longer than the request being served has left.
            Contracts contracts = new Contracts(vertx, pool, () -> EscrowService.createProxy(vertx,
                CallerAssertion.asService(Deadline.delivery(timeout), EscrowService.CALLER)),
                autoReleaseSeconds(config()), jobsChanged);
            running.add(Periodic.every(vertx, Duration.ofMillis(RECOVER_EVERY_MS), contracts::recover,
                "Driving unfinished contract steps failed; next round retries"), Periodic::stop);
            MarketplaceServiceImpl service = new MarketplaceServiceImpl(jobs,
                new Applications(vertx, pool), matches, contracts, new Reviews(vertx, pool, jobsChanged));
            // Escrow moves on these calls (accept, approve, resolve): each needs its caller as the gateway verified it.
            return Services.serve(vertx, running, MarketplaceService.ADDRESS, MarketplaceService.class, service, SOURCE, pool,
                CallerAssertion.Rule.CALLER_ONLY);
          });
    });
  }

  /** marketplace.autoReleaseSeconds: 14 days unless configured (a minute to a year). */
  static long autoReleaseSeconds(JsonObject config) {
    long seconds = config.getJsonObject("marketplace", new JsonObject()).getLong("autoReleaseSeconds", 14L * 86_400);
    return Math.max(60, Math.min(seconds, 365L * 86_400));
  }

  /** marketplace.skillSynonyms: spelling → the one name it means, both normalised like any skill. */
  static Map<String, String> synonyms(JsonObject config) {
    JsonObject table = config.getJsonObject("marketplace", new JsonObject()).getJsonObject("skillSynonyms", new JsonObject());
    Skills plain = new Skills(Map.of());
    Map<String, String> synonyms = new HashMap<>();
    table.forEach(e -> {
      String from = plain.normalise(e.getKey());
      String to = e.getValue() instanceof String s ? plain.normalise(s) : null;
      if (from != null && to != null) {
        synonyms.put(from, to);
      }
    });
    return synonyms;
  }

  @Override
  public Future<?> stop() {
    return running.stopAll()
        .eventually(() -> pool == null ? Future.succeededFuture() : pool.close())
        .eventually(() -> redis == null ? Future.succeededFuture() : redis.close());
  }
}
