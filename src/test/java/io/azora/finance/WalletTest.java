package io.azora.finance;

import io.azora.support.HttpApi;
import io.azora.support.HttpApi.Response;
import io.azora.support.NodeExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wallets through the gateway: balances, grants, transfers, history, idempotency, refusals, verification. */
@ExtendWith(VertxExtension.class)
class WalletTest {

  static final String ADMIN_EMAIL = "treasurer@azora.test";
  static final String ADMIN_PASSWORD = "treasurer-secret-passphrase";

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("auth", new JsonObject()
          .put("adminEmail", ADMIN_EMAIL).put("adminPassword", ADMIN_PASSWORD))
      .put("finance", new JsonObject().put("initialSupply", "1000000000")));

  static String admin;

  @BeforeAll
  static void signInAdmin() {
    admin = node.api().login(ADMIN_EMAIL, ADMIN_PASSWORD).getString("accessToken");
  }

  /** A new student: {id, token}. */
  static JsonObject newUser(HttpApi api) {
    JsonObject tokens = api.register("u" + UUID.randomUUID() + "@azora.test", "wallet-test-passphrase", "Wally", null);
    return new JsonObject().put("id", tokens.getJsonObject("user").getString("id"))
        .put("token", tokens.getString("accessToken"));
  }

  static void grant(HttpApi api, String admin, String userId, String amount) {
    api.post("/api/admin/wallets/" + userId + "/grants", admin,
        new JsonObject().put("amount", amount).put("reason", "test funds")).expect(201);
  }

  static JsonObject balance(HttpApi api, JsonObject user) {
    return api.get("/api/wallet/balance", user.getString("token")).expect(200).json();
  }

  static Response transfer(HttpApi api, JsonObject from, String toUserId, Object amount, String key) {
    JsonObject body = new JsonObject().put("toUserId", toUserId).put("amount", amount);
    return api.send(HttpMethod.POST, "/api/wallet/transfers", from.getString("token"), body.toBuffer(),
        key == null ? Map.of() : Map.of("Idempotency-Key", key));
  }

  @Test
  void newWalletIsEmpty(HttpApi api) {
    JsonObject user = newUser(api);
    JsonObject wallet = balance(api, user);
    assertEquals(user.getString("id"), wallet.getString("userId"));
    assertEquals("AZR", wallet.getString("currency"));
    for (String field : new String[] {"balance", "available", "held", "staked", "earned"}) {
      assertEquals("0", wallet.getString(field), field);
    }
    assertTrue(api.get("/api/transactions", user.getString("token")).expect(200).json().getJsonArray("items").isEmpty());
    api.get("/api/wallet/balance", null).expectProblem(401, "unauthorized");
  }

  @Test
  void walletOpensWhenTheUserRegisters(HttpApi api, Vertx vertx) throws Exception {
    String id = newUser(api).getString("id");
    io.vertx.sqlclient.Pool db = node.node().database(vertx, "finance");
    try {
      long deadline = System.currentTimeMillis() + 10_000;
      long wallets = 0;
      while (wallets == 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
        wallets = db.preparedQuery("SELECT count(*) FROM accounts WHERE kind = 'wallet' AND owner_id = $1")
            .execute(io.vertx.sqlclient.Tuple.of(UUID.fromString(id))).await(5, TimeUnit.SECONDS)
            .iterator().next().getLong(0);
      }
      assertEquals(1, wallets, "user.registered opened the wallet, before any finance call");
    } finally {
      db.close();
    }
  }

  @Test
  void transferMovesExactAmountsAndBothSidesSeeIt(HttpApi api) {
    JsonObject alice = newUser(api);
    JsonObject bob = newUser(api);
    grant(api, admin, alice.getString("id"), "100");

    JsonObject sent = transfer(api, alice, bob.getString("id"), "12.5", null).expect(201).json();
    assertEquals("transfer", sent.getString("type"));
    assertEquals("12.5", sent.getString("amount"));
    assertEquals("debit", sent.getString("direction"));
    assertEquals("completed", sent.getString("status"));
    assertEquals(bob.getString("id"), sent.getString("counterparty"));
    // The smallest unit, sent as a JSON number, arrives exactly.
    transfer(api, alice, bob.getString("id"), 0.00000001, null).expect(201);
    // A number with more digits than a double holds (17) is still exact.
    grant(api, admin, alice.getString("id"), "987654400");
    transfer(api, alice, bob.getString("id"), new java.math.BigDecimal("987654321.98765432"), null).expect(201);

    assertEquals("165.51234567", balance(api, alice).getString("balance"));
    JsonObject bobWallet = balance(api, bob);
    assertEquals("987654334.48765433", bobWallet.getString("balance"));
    assertEquals(bobWallet.getString("balance"), bobWallet.getString("available"));

    JsonArray bobHistory = api.get("/api/transactions", bob.getString("token")).expect(200).json().getJsonArray("items");
    assertEquals(3, bobHistory.size());
    JsonObject first = bobHistory.getJsonObject(2);
    assertEquals(sent.getString("id"), first.getString("id"));
    assertEquals("credit", first.getString("direction"));
    assertEquals(alice.getString("id"), first.getString("counterparty"));
    JsonArray aliceHistory = api.get("/api/transactions?type=transfer&limit=100", alice.getString("token"))
        .expect(200).json().getJsonArray("items");
    assertEquals(5, aliceHistory.size(), "two grants and three transfers");
    assertEquals("treasury", aliceHistory.getJsonObject(4).getString("counterparty"));
    assertEquals("credit", aliceHistory.getJsonObject(4).getString("direction"));
  }

  @Test
  void anIdInCapitalsNamesTheSameUser(HttpApi api) {
    JsonObject alice = newUser(api);
    JsonObject bob = newUser(api);
    grant(api, admin, alice.getString("id"), "10");
    // The same user, written in capitals: the money reaches the wallet Bob sees, not a wallet of its own.
    transfer(api, alice, bob.getString("id").toUpperCase(), "4", null).expect(201);
    api.post("/api/admin/wallets/" + bob.getString("id").toUpperCase() + "/grants", admin,
        new JsonObject().put("amount", "1").put("reason", "capitals")).expect(201);
    assertEquals("5", balance(api, bob).getString("balance"));
    assertEquals("6", balance(api, alice).getString("balance"));
    transfer(api, alice, alice.getString("id").toUpperCase(), "1", null).expectProblem(400, "validation_failed");
  }

  @Test
  void oneIdempotencyKeyUsedByTwoUsersIsTwoTransfers(HttpApi api) throws Exception {
    JsonObject alice = newUser(api);
    JsonObject carol = newUser(api);
    JsonObject bob = newUser(api);
    grant(api, admin, alice.getString("id"), "10");
    grant(api, admin, carol.getString("id"), "10");
    String key = "shared-" + UUID.randomUUID();
    // At once, the same key and body from two senders: each is its own transfer.
    var senders = java.util.List.of(alice, carol);
    var both = io.azora.support.AtOnce.run(2, i -> transfer(api, senders.get(i), bob.getString("id"), "3", key)
        .expect(201).json().getString("id"));
    assertNotEquals(both.get(0), both.get(1));
    assertEquals("7", balance(api, alice).getString("balance"));
    assertEquals("7", balance(api, carol).getString("balance"));
    assertEquals("6", balance(api, bob).getString("balance"));
  }

  @Test
  void aGrantRetriedWithItsKeyCreditsOnce(HttpApi api) {
    JsonObject user = newUser(api);
    String key = "grant-" + UUID.randomUUID();
    JsonObject body = new JsonObject().put("amount", "25").put("reason", "support credit");
    var first = api.send(HttpMethod.POST, "/api/admin/wallets/" + user.getString("id") + "/grants", admin, body.toBuffer(),
        Map.of("Idempotency-Key", key)).expect(201).json();
    var again = io.azora.support.AtOnce.run(4, i -> api.send(HttpMethod.POST,
        "/api/admin/wallets/" + user.getString("id") + "/grants", admin, body.toBuffer(), Map.of("Idempotency-Key", key)));
    for (Response r : again) {
      assertEquals(first.getString("id"), r.expect(201).json().getString("id"));
    }
    assertEquals("25", balance(api, user).getString("balance"));
    api.send(HttpMethod.POST, "/api/admin/wallets/" + user.getString("id") + "/grants", admin,
        body.copy().put("amount", "26").toBuffer(), Map.of("Idempotency-Key", key)).expectProblem(409, "idempotency_conflict");
    assertEquals("25", balance(api, user).getString("balance"));
  }

  @Test
  void historyPagesWithACursor(HttpApi api) {
    JsonObject user = newUser(api);
    for (int i = 1; i <= 6; i++) {
      grant(api, admin, user.getString("id"), String.valueOf(i));
    }
    JsonObject page = api.get("/api/transactions?limit=2", user.getString("token")).expect(200).json();
    assertEquals("6", page.getJsonArray("items").getJsonObject(0).getString("amount"), "newest first");
    StringBuilder amounts = new StringBuilder();
    while (true) {
      // Three full pages, and no empty fourth: the last full page says there is no next.
      assertEquals(2, page.getJsonArray("items").size(), page::encode);
      page.getJsonArray("items").forEach(item -> amounts.append(((JsonObject) item).getString("amount")));
      String cursor = page.getString("nextCursor");
      if (cursor == null) {
        break;
      }
      page = api.get("/api/transactions?limit=2&cursor=" + cursor, user.getString("token")).expect(200).json();
    }
    assertEquals("654321", amounts.toString());
    api.get("/api/transactions?cursor=%%%", user.getString("token")).expectProblem(400, "validation_failed");
    api.get("/api/transactions?type=bribe", user.getString("token")).expectProblem(400, "validation_failed");
    api.get("/api/transactions?limit=1000", user.getString("token")).expectProblem(400, "validation_failed");
  }

  @Test
  void overdraftIsRefusedAndNothingMoves(HttpApi api) {
    JsonObject alice = newUser(api);
    JsonObject bob = newUser(api);
    grant(api, admin, alice.getString("id"), "10");
    transfer(api, alice, bob.getString("id"), "10.00000001", null).expectProblem(402, "insufficient_funds");
    transfer(api, bob, alice.getString("id"), "1", null).expectProblem(402, "insufficient_funds");
    assertEquals("10", balance(api, alice).getString("balance"));
    assertEquals("0", balance(api, bob).getString("balance"));
    transfer(api, alice, bob.getString("id"), "10", null).expect(201);
    assertEquals("0", balance(api, alice).getString("balance"));
  }

  @Test
  void badTransfersAreClearFourHundreds(HttpApi api) {
    JsonObject alice = newUser(api);
    grant(api, admin, alice.getString("id"), "5");
    String bob = newUser(api).getString("id");
    for (Object amount : new Object[] {"0", "-1", "1.123456789", "abc", "1e3", 0, -2, 0.000000001, true}) {
      transfer(api, alice, bob, amount, null).expectProblem(400, "validation_failed");
    }
    transfer(api, alice, alice.getString("id"), "1", null).expectProblem(400, "validation_failed");
    transfer(api, alice, "not-a-uuid", "1", null).expectProblem(400, "validation_failed");
    transfer(api, alice, UUID.randomUUID().toString(), "1", null).expectProblem(404, "not_found");
    api.send(HttpMethod.POST, "/api/wallet/transfers", alice.getString("token"), Buffer.buffer("{\"toUserId\":"),
        Map.of()).expectProblem(400, "validation_failed");
    api.post("/api/wallet/transfers", alice.getString("token"), new JsonObject().put("toUserId", bob).put("amount", "1")
        .put("memo", "x".repeat(501))).expectProblem(400, "validation_failed");
    assertEquals("5", balance(api, alice).getString("balance"));
  }

  @Test
  void idempotencyKeyMovesMoneyOnceEvenWhenRedisForgets(HttpApi api, Vertx vertx) throws Exception {
    JsonObject alice = newUser(api);
    JsonObject bob = newUser(api);
    grant(api, admin, alice.getString("id"), "50");
    String key = "pay-" + UUID.randomUUID();

    JsonObject first = transfer(api, alice, bob.getString("id"), "20", key).expect(201).json();
    Response replayed = transfer(api, alice, bob.getString("id"), "20", key).expect(201);
    assertEquals("true", replayed.header("Idempotent-Replayed"), "the gateway's record answered");
    assertEquals(first, replayed.json());
    transfer(api, alice, bob.getString("id"), "21", key).expectProblem(409, "idempotency_conflict");

    // The ledger keys the transfer itself: with the gateway's record gone, a retry still moves nothing.
    Redis redis = Redis.createClient(vertx, io.azora.support.TestInfra.redisUrl());
    String prefix = node.node().config.getJsonObject("redis").getString("keyPrefix");
    var keys = redis.send(Request.cmd(Command.KEYS).arg(prefix + "idem:user:" + alice.getString("id") + ":*"))
        .await(5, TimeUnit.SECONDS);
    assertEquals(1, keys.size(), "the gateway kept exactly this key's record");
    long deleted = redis.send(Request.cmd(Command.DEL).arg(keys.get(0).toString())).await(5, TimeUnit.SECONDS).toLong();
    assertEquals(1, deleted);
    redis.close();
    Response retriedResponse = transfer(api, alice, bob.getString("id"), "20", key).expect(201);
    assertEquals(null, retriedResponse.header("Idempotent-Replayed"), "answered by the ledger, not the gateway's record");
    JsonObject retried = retriedResponse.json();
    assertEquals(first.getString("id"), retried.getString("id"));
    transfer(api, alice, bob.getString("id"), "21", key).expectProblem(409, "idempotency_conflict");
    assertEquals("30", balance(api, alice).getString("balance"));
    assertEquals("20", balance(api, bob).getString("balance"));

    // Another key is another transfer.
    JsonObject other = transfer(api, alice, bob.getString("id"), "20", key + "-2").expect(201).json();
    assertNotEquals(first.getString("id"), other.getString("id"));
    assertEquals("10", balance(api, alice).getString("balance"));
  }

  @Test
  void ledgerVerifiesForAdminsOnly(HttpApi api) {
    JsonObject alice = newUser(api);
    JsonObject bob = newUser(api);
    grant(api, admin, alice.getString("id"), "3");
    transfer(api, alice, bob.getString("id"), "1", null).expect(201);
    JsonObject report = api.get("/api/ledger/verify", admin).expect(200).json();
    assertEquals(Boolean.TRUE, report.getBoolean("ok"), report::encodePrettily);
    assertTrue(report.getLong("entries") >= 6);
    assertEquals(64, report.getString("head").length());
    assertEquals(report.getString("head"), api.get("/api/ledger/verify", admin).expect(200).json().getString("head"),
        "nothing changed, same head");
    api.get("/api/ledger/verify", alice.getString("token")).expectProblem(403, "forbidden");
    api.post("/api/admin/wallets/" + bob.getString("id") + "/grants", alice.getString("token"),
        new JsonObject().put("amount", "1").put("reason", "me")).expectProblem(403, "forbidden");
  }

  @Test
  void healthListsFinance(HttpApi api) {
    JsonObject health = api.get("/api/health", null).expect(200).json();
    assertEquals("up", health.getJsonObject("services").getString("finance"));
    assertNull(health.getJsonObject("services").getString("nope"));
  }
}
