package io.azora.finance;

import io.azora.platform.AzoraConfig;
import io.azora.platform.Databases;
import io.azora.support.ChildNode;
import io.azora.support.HttpApi;
import io.azora.support.TestInfra;
import io.azora.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 in the middle of the transfer load, then a restart: clients retry what lost its answer with
 * the same Idempotency-Key, and afterwards every invariant of the concurrency test still holds.
 */
@ExtendWith(VertxExtension.class)
class LedgerCrashTest {

  /**
   * The outbox after the crash: exactly one transfer.completed per accepted transfer (written in the same
   * statement as the transfer: none lost, none doubled), and every event published by the restarted relay.
   */
  static void assertOutboxWhole(Pool finance, TransferLoad load) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    long unpublished;
    do {
      unpublished = finance.query("SELECT count(*) FROM nexus_outbox WHERE position IS NULL").execute()
          .await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
      if (unpublished > 0) {
        Thread.sleep(200);
      }
    } while (unpublished > 0 && System.currentTimeMillis() < deadline);
    assertEquals(0, unpublished, "every committed event was published after the restart");
    java.util.Map<String, Integer> events = new java.util.HashMap<>();
    for (var row : finance.query("SELECT envelope->'data'->>'transferId' FROM nexus_outbox WHERE type = 'transfer.completed'")
        .execute().await(30, TimeUnit.SECONDS)) {
      events.merge(row.getString(0), 1, Integer::sum);
    }
    for (String id : load.accepted.keySet()) {
      assertEquals(1, events.getOrDefault(id, 0), "transfer.completed events for accepted transfer " + id);
    }
    assertTrue(events.values().stream().allMatch(n -> n == 1), "no event twice");
  }

  @Test
  void killedMidLoadAndRestartedLosesAndDoublesNothing(Vertx vertx) throws Exception {
    String prefix = TestNode.newPrefix();
    int port = TestInfra.freePort();
    Map<String, String> env = Map.of("AZORA_AUTH_ADMIN_EMAIL", WalletTest.ADMIN_EMAIL,
        "AZORA_AUTH_ADMIN_PASSWORD", WalletTest.ADMIN_PASSWORD);
    HttpApi api = new HttpApi(vertx, port);
    ChildNode node = ChildNode.start(prefix, port, env);
    try {
      node.awaitHealthy(api);
      String admin = api.login(WalletTest.ADMIN_EMAIL, WalletTest.ADMIN_PASSWORD).getString("accessToken");
      List<JsonObject> users = LedgerConcurrencyTest.fundedUsers(api, admin, 100, 1000);

      TransferLoad load = new TransferLoad(vertx, port, users, 7, true, 64);
      Future<Void> running = load.run(10_000, 64);
      long deadline = System.currentTimeMillis() + 60_000;
      while (load.accepted.size() < 2000 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(load.accepted.size() >= 2000, "load was running before the kill");
      node.kill();
      int acceptedAtKill = load.accepted.size();

      node = ChildNode.start(prefix, port, env);
      node.awaitHealthy(api);
      running.await(10, TimeUnit.MINUTES);
      load.close();
      // Only the kill takes answers away (a "not yet" or a 5xx is retried too, but counted apart).
      assertTrue(load.lostAnswers.get() > 0, "some requests lost their answers to the kill and were retried");
      assertTrue(load.accepted.size() > acceptedAtKill, "the load carried on after the restart");

      AzoraConfig config = AzoraConfig.from(TestInfra.overrides(prefix));
      Pool finance = Databases.pool(vertx, config.database(), config.database().nameOf("finance"));
      assertOutboxWhole(finance, load);
      LedgerConcurrencyTest.assertInvariants(api, admin, users, 1000, load, finance);
    } finally {
      node.kill();
      TestInfra.dropDatabases(prefix);
    }
  }
}
