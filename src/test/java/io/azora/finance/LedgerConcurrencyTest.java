package io.azora.finance;

import io.azora.platform.Money;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 64 clients, 10,000 random transfers among 100 funded wallets, with replays, reused keys and
 * overdrafts mixed in. Afterwards: no wallet negative, each balance exactly what the accepted transfers
 * say, every accepted transfer in the ledger exactly once (and nothing else), the ledger verifies.
 */
@ExtendWith(VertxExtension.class)
class LedgerConcurrencyTest {

  static final int USERS = 100;
  static final long FUNDS = 1000;

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("auth", new JsonObject()
      .put("adminEmail", WalletTest.ADMIN_EMAIL).put("adminPassword", WalletTest.ADMIN_PASSWORD)));

  @Test
  void randomConcurrentTransfersKeepEveryInvariant(HttpApi api, Vertx vertx) throws Exception {
    String admin = api.login(WalletTest.ADMIN_EMAIL, WalletTest.ADMIN_PASSWORD).getString("accessToken");
    List<JsonObject> users = fundedUsers(api, admin, USERS, FUNDS);

    TransferLoad load = new TransferLoad(vertx, api.port(), users, 42, false, 64);
    load.run(10_000, 64).await(10, TimeUnit.MINUTES);
    load.close();

    assertInvariants(api, admin, users, FUNDS, load, node.node().database(vertx, "finance"));
  }

  static List<JsonObject> fundedUsers(HttpApi api, String admin, int count, long funds) {
    List<JsonObject> users = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      JsonObject user = WalletTest.newUser(api);
      api.post("/api/admin/wallets/" + user.getString("id") + "/grants", admin,
          new JsonObject().put("amount", String.valueOf(funds)).put("reason", "load test funds")).expect(201);
      users.add(user);
    }
    return users;
  }

  /** What clients saw must be exactly what the ledger holds. */
  static void assertInvariants(HttpApi api, String admin, List<JsonObject> users, long funds, TransferLoad load,
                               Pool finance) throws Exception {
    assertTrue(load.unexpected.isEmpty(), () -> "unexpected answers: " + load.unexpected.subList(0, Math.min(10, load.unexpected.size())));
    load.idsByKey.forEach((key, ids) -> assertEquals(1, ids.size(), "one transfer per idempotency key: " + key));
    // Every request with the same key and body got the same final answer (a replay of an accepted transfer:
    // 201 with its id); a key used for one body only was never refused as a conflict; of a key reused for
    // another body, one body won and the other was refused.
    Set<String> contested = load.contestedKeys();
    java.util.Map<String, List<Set<String>>> byKey = new java.util.HashMap<>();
    load.answersByKeyAndBody.forEach((keyAndBody, answers) -> {
      assertEquals(1, answers.size(), () -> "one answer per key and body: " + keyAndBody + " got " + answers);
      String key = keyAndBody.substring(0, keyAndBody.lastIndexOf(':'));
      byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(answers);
      if (!contested.contains(key)) {
        assertTrue(answers.stream().noneMatch(a -> a.startsWith("409")), () -> "a fresh key refused as a conflict: " + keyAndBody);
      }
    });
    byKey.forEach((key, bodies) -> assertTrue(bodies.stream().filter(a -> a.stream().noneMatch(x -> x.startsWith("409")))
        .count() <= 1, () -> "two bodies both went through under key " + key + ": " + bodies));
    assertTrue(load.accepted.size() > 1000, "enough transfers went through: " + load.accepted.size());
    assertTrue(load.outcomes.containsKey("402"), "overdrafts were refused: " + load.outcomes);

    long[] expected = new long[users.size()];
    java.util.Arrays.fill(expected, Money.ofWhole(funds));
    for (TransferLoad.Accepted t : load.accepted.values()) {
      expected[t.from()] -= t.amount();
      expected[t.to()] += t.amount();
    }
    for (int i = 0; i < users.size(); i++) {
      JsonObject wallet = WalletTest.balance(api, users.get(i));
      long balance = Money.parse(wallet.getString("balance"), "balance");
      assertTrue(balance >= 0);
      assertEquals(Money.format(expected[i]), wallet.getString("balance"), "balance of user " + i);
    }

    // Every accepted transfer is in the ledger once, and the ledger has no user transfer nobody was told of.
    Set<String> inLedger = new HashSet<>();
    for (Row row : finance.query("""
        SELECT t.id FROM transfers t JOIN accounts a ON a.id = t.debit_account
        WHERE t.type = 'transfer' AND a.kind = 'wallet'""").execute().await(30, TimeUnit.SECONDS)) {
      inLedger.add(row.getUUID(0).toString());
    }
    assertEquals(load.accepted.keySet(), inLedger);
    finance.close();

    JsonObject report = api.get("/api/ledger/verify", admin).expect(200).json();
    assertEquals(Boolean.TRUE, report.getBoolean("ok"), report::encodePrettily);
    System.out.println("Ledger load: " + load.accepted.size() + " accepted, outcomes " + load.outcomes
        + ", retries " + load.retries + ", " + report.getLong("entries") + " entries verified");
  }
}
