package io.azora.finance;

import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batches of independent groups (the transfer hot path): each group stands or falls on its own, and
 * repeats, conflicts and double resolutions inside one batch are judged as if they came one by one.
 */
@ExtendWith(VertxExtension.class)
class LedgerBatchTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("auth", new JsonObject()
      .put("adminEmail", WalletTest.ADMIN_EMAIL).put("adminPassword", WalletTest.ADMIN_PASSWORD)));

  static Vertx vertx;
  static Pool pool;
  static String admin;

  @BeforeAll
  static void open() {
    vertx = Vertx.vertx();
    pool = node.node().database(vertx, "finance");
    admin = node.api().login(WalletTest.ADMIN_EMAIL, WalletTest.ADMIN_PASSWORD).getString("accessToken");
  }

  @AfterAll
  static void close() throws Exception {
    pool.close().await(5, TimeUnit.SECONDS);
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  /** Runs {@code groups} as one batch from a batcher on its own event loop; the groups' outcomes in order. */
  static List<io.vertx.core.Future<List<Ledger.Posted>>> batch(List<List<Posting>> groups) throws Exception {
    var context = vertx.getOrCreateContext();
    var promise = io.vertx.core.Promise.<List<io.vertx.core.Future<List<Ledger.Posted>>>>promise();
    context.runOnContext(v -> {
      // One in flight, so everything submitted here goes in a single batch after the first.
      LedgerBatcher batcher = new LedgerBatcher(pool, 256, 1);
      List<io.vertx.core.Future<List<Ledger.Posted>>> results = groups.stream()
          .map(g -> batcher.post(g, null, null)).toList();
      io.vertx.core.Future.join(results).onComplete(ar -> promise.complete(results));
    });
    return promise.future().await(15, TimeUnit.SECONDS);
  }

  static Posting pay(UUID id, String from, String to, long amount) {
    return Posting.posted(id, "transfer", Accounts.wallet(from), Accounts.wallet(to), amount, "batch test");
  }

  static long balance(HttpApi api, JsonObject user) {
    return io.azora.platform.Money.parse(WalletTest.balance(api, user).getString("balance"), "balance");
  }

  @Test
  void groupsStandOrFallAlone(HttpApi api) throws Exception {
    JsonObject a = WalletTest.newUser(api);
    JsonObject b = WalletTest.newUser(api);
    WalletTest.grant(api, admin, a.getString("id"), "10");
    WalletTest.balance(api, b);  // opens b's wallet
    String aId = a.getString("id");
    String bId = b.getString("id");
    UUID first = UUID.randomUUID();
    UUID again = UUID.randomUUID();
    var results = batch(List.of(
        List.of(pay(UUID.randomUUID(), aId, bId, 1)),                 // warms the batcher: its own batch
        List.of(pay(first, aId, bId, 3_00000000L)),                   // ok
        List.of(pay(UUID.randomUUID(), aId, bId, 100_00000000L)),     // overdraft
        List.of(pay(first, aId, bId, 3_00000000L)),                   // the same group again: first result
        List.of(pay(first, aId, bId, 4_00000000L)),                   // same id, other content: conflict
        List.of(pay(UUID.randomUUID(), aId, UUID.randomUUID().toString(), 1)),  // unknown account
        List.of(pay(again, aId, bId, 2_00000000L), pay(UUID.randomUUID(), bId, aId, 1_00000000L))));  // linked pair
    assertTrue(results.get(1).succeeded() && results.get(1).result().get(0).created());
    assertEquals(LedgerRefusal.INSUFFICIENT_FUNDS, refusal(results.get(2)).reason);
    assertTrue(results.get(3).succeeded());
    assertFalse(results.get(3).result().get(0).created(), "a repeat answers the first result");
    assertEquals(results.get(1).result().get(0).createdAt(), results.get(3).result().get(0).createdAt());
    assertEquals(LedgerRefusal.IDS_REUSED, refusal(results.get(4)).reason);
    assertEquals(LedgerRefusal.UNKNOWN_ACCOUNT_OR_HOLD, refusal(results.get(5)).reason);
    assertTrue(results.get(6).succeeded());
    assertEquals(2, results.get(6).result().size());
    // 10 - 0.00000001 - 3 - 2 + 1
    assertEquals(5_99999999L, balance(api, a));
    assertEquals(4_00000001L, balance(api, b));
    assertEquals(Boolean.TRUE, api.get("/api/ledger/verify", admin).expect(200).json().getBoolean("ok"));
  }

  @Test
  void aHoldResolvesOnceEvenWithinOneBatch(HttpApi api) throws Exception {
    JsonObject a = WalletTest.newUser(api);
    WalletTest.grant(api, admin, a.getString("id"), "10");
    String contract = UUID.randomUUID().toString();
    Ledger.open(pool, Accounts.escrow(contract), "escrow", null, contract, 0L).await(5, TimeUnit.SECONDS);
    UUID hold = UUID.randomUUID();
    Ledger.post(pool, List.of(Posting.pending(hold, "escrow", Accounts.wallet(a.getString("id")), Accounts.escrow(contract),
        5_00000000L, "hold")), null, null).await(5, TimeUnit.SECONDS);
    var results = batch(List.of(
        List.of(pay(UUID.randomUUID(), a.getString("id"), a.getString("id"), 1)),  // invalid: same account twice
        List.of(Posting.voidPending(UUID.randomUUID(), "escrow", hold, "void")),
        List.of(Posting.post(UUID.randomUUID(), "escrow", hold, null, "post"))));
    assertEquals(LedgerRefusal.INVALID, refusal(results.get(0)).reason);
    assertTrue(results.get(1).succeeded());
    assertEquals(LedgerRefusal.ALREADY_RESOLVED, refusal(results.get(2)).reason);
    JsonObject wallet = WalletTest.balance(api, a);
    assertEquals("10", wallet.getString("balance"));
    assertEquals("0", wallet.getString("held"));
  }

  static Ledger.Refusal refusal(io.vertx.core.Future<?> result) {
    assertTrue(result.failed(), "refused");
    return assertInstanceOf(Ledger.Refusal.class, result.cause());
  }
}
