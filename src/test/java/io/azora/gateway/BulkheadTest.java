package io.azora.gateway;

import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.Market;
import io.azora.support.NodeExtension;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each gateway node keeps a bounded number of calls in flight to each domain (here 2): with finance's calls
 * all waiting (the test holds the sender's wallet row locked), the next finance request is answered 503 with
 * Retry-After at once, the other domains are served as usual, health shows the compartment, and once the
 * lock goes the waiting transfers complete and finance is served again.
 */
class BulkheadTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(Courses.withAdmin(new JsonObject()
      .put("http", new JsonObject().put("maxCallsPerDomain", 2))));

  @Test
  void aFullCompartmentAnswers503AtOnceAndTheOtherDomainsAreServed() throws Exception {
    HttpApi api = node.api();
    JsonObject sender = Market.user(api, "student");
    JsonObject receiver = Market.user(api, "student");
    Market.grant(api, Courses.admin(api), sender, "10");

    Pool finance = node.node().database(node.node().vertx(), "finance");
    SqlConnection conn = finance.getConnection().await(5, TimeUnit.SECONDS);
    Transaction lock = conn.begin().await(5, TimeUnit.SECONDS);
    conn.preparedQuery("SELECT id FROM accounts WHERE kind = 'wallet' AND owner_id = $1 FOR UPDATE")
        .execute(Tuple.of(UUID.fromString(sender.getString("id")))).await(5, TimeUnit.SECONDS);
    try {
      List<CompletableFuture<HttpApi.Response>> transfers = List.of(transfer(api, sender, receiver), transfer(api, sender, receiver));
      long deadline = System.currentTimeMillis() + 3_000;
      while (inFlight(api, "finance") < 2 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(2, inFlight(api, "finance"), "both transfers wait on the locked wallet");

      long start = System.currentTimeMillis();
      HttpApi.Response refused = api.get("/api/wallet/balance", receiver.getString("token"));
      assertEquals(503, refused.status());
      assertEquals("overloaded", refused.json().getString("code"));
      assertEquals("1", refused.header("Retry-After"));
      assertTrue(System.currentTimeMillis() - start < 1_000, "answered at once, not queued");
      api.get("/api/courses", null).expect(200);  // education's compartment is its own
      JsonObject compartment = api.get("/api/health", null).expect(200).json().getJsonObject("bulkheads").getJsonObject("finance");
      assertEquals(2, compartment.getInteger("limit"));
      assertTrue(compartment.getLong("rejected") >= 1);

      lock.rollback().await(5, TimeUnit.SECONDS);
      for (CompletableFuture<HttpApi.Response> t : transfers) {
        assertEquals(201, t.get(10, TimeUnit.SECONDS).status(), "the waiting transfers went through");
      }
    } finally {
      conn.close();
      finance.close();
    }
    assertEquals("2", api.get("/api/wallet/balance", receiver.getString("token")).expect(200).json().getString("balance"));
  }

  static CompletableFuture<HttpApi.Response> transfer(HttpApi api, JsonObject from, JsonObject to) {
    return CompletableFuture.supplyAsync(() -> api.post("/api/wallet/transfers", from.getString("token"), new JsonObject()
        .put("toUserId", to.getString("id")).put("amount", "1").put("memo", "bulkhead")));
  }

  static int inFlight(HttpApi api, String domain) {
    JsonObject compartment = api.get("/api/health", null).json().getJsonObject("bulkheads").getJsonObject(domain);
    return compartment == null ? 0 : compartment.getInteger("inFlight");
  }
}
