package io.azora.platform;

import io.azora.auth.AuthEvents;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
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
 * Nexus delivers as consumer groups: the instances subscribing as one consumer share its events, each
 * event sent to one of them (round-robin) and to another if that one fails. The members here are verticle
 * instances, as domains run them, with the periodic catch-up pushed out of the way: what they handle, they
 * got live from the relay.
 */
@ExtendWith(VertxExtension.class)
class NexusGroupsTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.defaults();

  static String database;
  static Pool db;

  @BeforeAll
  static void consumerDatabase() throws Exception {
    database = node.node().prefix + "groups";
    AzoraConfig config = AzoraConfig.from(node.node().config);
    db = Databases.open(node.node().vertx(), config.database(), database, null).await(30, TimeUnit.SECONDS);
    // No unique key: a second handling would show as a second row.
    db.query("CREATE TABLE greeted (event_id UUID NOT NULL, member INT NOT NULL, email TEXT NOT NULL)").execute()
        .await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void close() throws Exception {
    db.close().await(5, TimeUnit.SECONDS);
  }

  /** A member of {@code group}: greets each registered user, or (if {@code refusing}) fails every event. */
  static final class Member extends VerticleBase {
    final String group;
    final int index;
    final boolean refusing;
    final AtomicInteger refused;
    Pool pool;
    NexusSubscription subscription;

    Member(String group, int index, boolean refusing, AtomicInteger refused) {
      this.group = group;
      this.index = index;
      this.refusing = refusing;
      this.refused = refused;
    }

    @Override
    public Future<?> start() {
      pool = Databases.pool(vertx, AzoraConfig.from(config()).database(), database);
      return Nexus.subscribe(vertx, pool, group, Set.of(AuthEvents.USER_REGISTERED), (tx, event) -> {
        if (refusing) {
          refused.incrementAndGet();
          return Future.failedFuture("member " + index + " refuses");
        }
        return tx.preparedQuery("INSERT INTO greeted (event_id, member, email) VALUES ($1::uuid, $2, $3)")
            .execute(Tuple.of(event.id(), index, event.data().getString("email"))).mapEmpty();
      }).onSuccess(s -> subscription = s);
    }

    @Override
    public Future<?> stop() {
      return subscription.stop().eventually(() -> pool.close());
    }
  }

  /** Deploys one member per entry of {@code refusing}; their catch-up runs at start and then not for ten minutes. */
  static List<String> deploy(String group, AtomicInteger refused, boolean... refusing) throws Exception {
    JsonObject config = node.node().config.copy().put("nexus", new JsonObject().put("catchUpMs", 600_000));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < refusing.length; i++) {
      ids.add(node.node().vertx().deployVerticle(new Member(group, i, refusing[i], refused),
          new DeploymentOptions().setConfig(config)).await(30, TimeUnit.SECONDS));
    }
    return ids;
  }

  /** Counts the messages the bus hands to members of {@code group} for user.registered. */
  static AtomicInteger countDeliveries(String group) {
    AtomicInteger deliveries = new AtomicInteger();
    String address = Nexus.groupAddress("user.registered", group);
    node.node().vertx().eventBus().addInboundInterceptor(ctx -> {
      if (address.equals(ctx.message().address())) {
        deliveries.incrementAndGet();
      }
      ctx.next();
    });
    return deliveries;
  }

  static List<String> register(HttpApi api, String group, int n) {
    List<String> emails = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String email = group + "-" + i + "-" + UUID.randomUUID() + "@azora.test";
      api.register(email, "violet-harbor-42", "G", null);
      emails.add(email);
    }
    return emails;
  }

  /** email → the members that greeted it, once all of {@code emails} are greeted or 10 s have passed. */
  static Map<String, List<Integer>> awaitGreeted(List<String> emails) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      Map<String, List<Integer>> greeted = new HashMap<>();
      for (Row row : db.preparedQuery("SELECT email, member FROM greeted WHERE email = ANY($1)")
          .execute(Tuple.tuple().addArrayOfString(emails.toArray(new String[0]))).await(10, TimeUnit.SECONDS)) {
        greeted.computeIfAbsent(row.getString("email"), e -> new ArrayList<>()).add(row.getInteger("member"));
      }
      if (greeted.keySet().containsAll(emails) || System.currentTimeMillis() > deadline) {
        return greeted;
      }
      Thread.sleep(50);
    }
  }

  static void undeploy(List<String> ids) throws Exception {
    for (String id : ids) {
      node.node().vertx().undeploy(id).await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void eachEventReachesOneMemberOfTheGroupInTurn(HttpApi api) throws Exception {
    AtomicInteger deliveries = countDeliveries("greeters");
    List<String> members = deploy("greeters", new AtomicInteger(), false, false, false, false);
    List<String> emails = register(api, "greeters", 20);

    Map<String, List<Integer>> greeted = awaitGreeted(emails);
    for (String email : emails) {
      assertEquals(1, greeted.getOrDefault(email, List.of()).size(), email + " greeted once: " + greeted);
    }
    // One delivery per event, not one per member (the inbox is the guard, not the filter).
    assertEquals(20, deliveries.get());
    Map<Integer, Integer> perMember = new HashMap<>();
    greeted.values().forEach(by -> perMember.merge(by.get(0), 1, Integer::sum));
    assertEquals(Set.of(0, 1, 2, 3), perMember.keySet(), "every member took a share: " + perMember);
    undeploy(members);
  }

  @Test
  void anEventAMemberFailsIsSentToAnotherAtOnce(HttpApi api) throws Exception {
    AtomicInteger deliveries = countDeliveries("pickers");
    AtomicInteger refused = new AtomicInteger();
    List<String> members = deploy("pickers", refused, false, true);
    List<String> emails = register(api, "pickers", 6);

    // Handled within seconds although the catch-up sleeps: the relay retried each refusal with the other member.
    Map<String, List<Integer>> greeted = awaitGreeted(emails);
    for (String email : emails) {
      assertEquals(List.of(0), greeted.get(email), email + " greeted once, by the willing member: " + greeted);
    }
    assertTrue(refused.get() > 0, "the refusing member was asked");
    assertEquals(6 + refused.get(), deliveries.get(), "one more delivery per refusal, no more");
    undeploy(members);
  }
}
