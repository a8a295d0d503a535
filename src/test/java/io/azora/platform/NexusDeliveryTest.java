package io.azora.platform;

import io.azora.auth.AuthEvents;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nexus delivery guarantees with the real auth producer: a consumer that is down when events are written
 * receives them when it comes back, each exactly once, whatever the redeliveries and handler failures.
 */
@ExtendWith(VertxExtension.class)
class NexusDeliveryTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.defaults();




  /** A consumer with its own database and a table of what its handler saw (no unique key: duplicates would show). */
  static Pool consumerDatabase(Vertx vertx) throws Exception {
    AzoraConfig config = AzoraConfig.from(node.node().config);
    Pool pool = Databases.open(vertx, config.database(), node.node().prefix + "consumer", null).await(30, TimeUnit.SECONDS);
    pool.query("CREATE TABLE IF NOT EXISTS welcomed (event_id UUID NOT NULL, user_id TEXT NOT NULL, email TEXT)")
        .execute().await(10, TimeUnit.SECONDS);
    return pool;
  }

  static Nexus.EventHandler welcome(AtomicInteger failuresToInject, String failForEmail) {
    return (tx, event) -> {
      String email = event.data().getString("email");
      if (email.equals(failForEmail) && failuresToInject.getAndDecrement() > 0) {
        return Future.failedFuture("injected failure");
      }
      return tx.preparedQuery("INSERT INTO welcomed (event_id, user_id, email) VALUES ($1::uuid, $2, $3)")
          .execute(Tuple.of(event.id(), event.data().getString("userId"), email)).mapEmpty();
    };
  }

  static Map<String, Integer> counts(Pool pool) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    for (Row row : pool.query("SELECT email, count(*) AS n FROM welcomed GROUP BY email").execute().await(10, TimeUnit.SECONDS)) {
      counts.put(row.getString("email"), row.getLong("n").intValue());
    }
    return counts;
  }

  static Map<String, Integer> awaitCounts(Pool pool, Set<String> emails) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      Map<String, Integer> counts = counts(pool);
      if (counts.keySet().containsAll(emails) || System.currentTimeMillis() > deadline) {
        return counts;
      }
      Thread.sleep(100);
    }
  }

  @Test
  void consumerThatWasDownReceivesEveryEventExactlyOnce(Vertx vertx) throws Exception {
    HttpApi api = node.api();
    String a = "a-" + UUID.randomUUID() + "@azora.test";
    String b = "b-" + UUID.randomUUID() + "@azora.test";
    // Written while no consumer exists at all.
    api.register(a, "violet-harbor-42", "A", null);
    api.register(b, "violet-harbor-42", "B", null);

    Vertx consumerVertx = node.node().vertx();
    Pool pool = consumerDatabase(consumerVertx);
    AtomicInteger failures = new AtomicInteger(2);
    NexusSubscription first = Nexus.subscribe(consumerVertx, pool, "welcomer", Set.of(AuthEvents.USER_REGISTERED),
        welcome(failures, b)).await(10, TimeUnit.SECONDS);
    Map<String, Integer> counts = awaitCounts(pool, Set.of(a, b));
    assertEquals(1, counts.get(a), counts::toString);
    assertEquals(1, counts.get(b), "b is delivered once after its handler failed twice: " + counts);

    // Live delivery while running; then the consumer goes down and misses an event.
    String c = "c-" + UUID.randomUUID() + "@azora.test";
    api.register(c, "violet-harbor-42", "C", null);
    awaitCounts(pool, Set.of(c));
    first.stop().await(10, TimeUnit.SECONDS);
    // A witness (another consumer, still running) proves d was published while the welcomer was down.
    Set<String> witnessed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    NexusSubscription witness = Nexus.subscribe(consumerVertx, pool, "witness", Set.of(AuthEvents.USER_REGISTERED),
        (tx, event) -> {
          witnessed.add(event.data().getString("email"));
          return io.vertx.core.Future.succeededFuture();
        }).await(10, TimeUnit.SECONDS);
    String d = "d-" + UUID.randomUUID() + "@azora.test";
    api.register(d, "violet-harbor-42", "D", null);
    long seen = System.currentTimeMillis() + 10_000;
    while (!witnessed.contains(d)) {
      assertTrue(System.currentTimeMillis() < seen, "d was never published");
      Thread.sleep(20);
    }
    witness.stop().await(10, TimeUnit.SECONDS);
    assertTrue(!counts(pool).containsKey(d), "nobody is listening");

    // Back up: it catches up from its cursor.
    NexusSubscription second = Nexus.subscribe(consumerVertx, pool, "welcomer", Set.of(AuthEvents.USER_REGISTERED),
        welcome(new AtomicInteger(), null)).await(10, TimeUnit.SECONDS);
    counts = awaitCounts(pool, Set.of(d));
    for (String email : List.of(a, b, c, d)) {
      assertEquals(1, counts.get(email), email + " " + counts);
    }

    // A redelivery of an already handled event (the relay publishing twice) changes nothing: handled as the
    // bus would hand it over, and awaited, not slept on.
    JsonObject envelope = feedEnvelopeOf(consumerVertx, c).await(10, TimeUnit.SECONDS);
    assertTrue(envelope != null);
    JsonObject redelivered = envelope;
    boolean handledAgain = io.vertx.core.Future.<Boolean>future(p -> consumerVertx.runOnContext(v ->
        second.handle(DomainEvent.fromJson(redelivered)).onComplete(p))).await(10, TimeUnit.SECONDS);
    assertTrue(!handledAgain, "the inbox knew it");
    assertEquals(1, counts(pool).get(c));
    second.stop().await(10, TimeUnit.SECONDS);
    pool.close();
  }

  @Test
  void envelopeFollowsTheContract(Vertx vertx) throws Exception {
    HttpApi api = node.api();
    String e = "e-" + UUID.randomUUID() + "@azora.test";
    api.register(e, "violet-harbor-42", "E", null);
    // The feed shows an event once the relay has published it, moments after the commit.
    JsonObject envelope = null;
    long deadline = System.currentTimeMillis() + 5000;
    while (envelope == null && System.currentTimeMillis() < deadline) {
      envelope = feedEnvelopeOf(node.node().vertx(), e).otherwiseEmpty().await(10, TimeUnit.SECONDS);
      Thread.sleep(envelope == null ? 50 : 0);
    }
    assertTrue(envelope != null, "published within 5 s");
    for (String field : List.of("id", "type", "occurredAt", "source", "version", "requestId", "data")) {
      assertTrue(envelope.containsKey(field), field + " in " + envelope.encode());
    }
    assertEquals("user.registered", envelope.getString("type"));
    assertEquals("auth", envelope.getString("source"));
    assertTrue(envelope.getJsonObject("data").containsKey("userId"));
  }

  /** Reads auth's feed from the start and returns the user.registered envelope for {@code email}. */
  static Future<JsonObject> feedEnvelopeOf(Vertx vertx, String email) {
    return vertx.eventBus().<JsonObject>request(Nexus.feedAddress("auth"), new JsonObject().put("after", 0).put("limit", 1000))
        .map(reply -> reply.body().getJsonArray("events").stream()
            .map(o -> ((JsonObject) o).getJsonObject("envelope"))
            .filter(env -> email.equals(env.getJsonObject("data").getString("email")))
            .findFirst().orElse(null));
  }
}
