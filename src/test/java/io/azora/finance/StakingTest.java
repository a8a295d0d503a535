package io.azora.finance;

import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Staking through the gateway: lock, early withdrawal, withdrawal with the term's reward, refusals. */
@ExtendWith(VertxExtension.class)
class StakingTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("auth", new JsonObject()
      .put("adminEmail", WalletTest.ADMIN_EMAIL).put("adminPassword", WalletTest.ADMIN_PASSWORD)));

  static String admin;

  @BeforeAll
  static void signInAdmin() {
    admin = node.api().login(WalletTest.ADMIN_EMAIL, WalletTest.ADMIN_PASSWORD).getString("accessToken");
  }

  static JsonObject stake(HttpApi api, JsonObject user, String amount, int days, String key, int status) {
    return api.send(HttpMethod.POST, "/api/wallet/stake", user.getString("token"),
        new JsonObject().put("amount", amount).put("days", days).toBuffer(),
        key == null ? Map.of() : Map.of("Idempotency-Key", key)).expect(status).json();
  }

  static JsonObject unstake(HttpApi api, JsonObject user, String id, int status) {
    return api.post("/api/wallet/stakes/" + id + "/unstake", user.getString("token"), null).expect(status).json();
  }

  /** Thirty days pass for {@code stake} (the clock is the database's; the stake is moved back in time). */
  static void termPassed(Vertx vertx, JsonObject stake) throws Exception {
    Pool db = node.node().database(vertx, "finance");
    db.query("UPDATE stakes SET start_at = now() - interval '30 days', unlock_at = now() - interval '1 second' WHERE id = '"
        + stake.getString("id") + "'").execute().await(10, TimeUnit.SECONDS);
    db.close();
  }

  @Test
  void earlyWithdrawalReturnsThePrincipalOnly(HttpApi api) {
    JsonObject user = WalletTest.newUser(api);
    WalletTest.grant(api, admin, user.getString("id"), "100");
    JsonObject stake = stake(api, user, "60", 90, null, 201);
    assertEquals("60", stake.getString("amount"));
    assertEquals("0.1", stake.getString("rewardRate"));
    assertEquals("active", stake.getString("status"));
    assertEquals(Duration.ofDays(90), Duration.between(Instant.parse(stake.getString("startDate")),
        Instant.parse(stake.getString("unlockDate"))));
    JsonObject wallet = WalletTest.balance(api, user);
    assertEquals("40", wallet.getString("balance"));
    assertEquals("60", wallet.getString("staked"));

    JsonObject out = unstake(api, user, stake.getString("id"), 200);
    assertEquals("withdrawn", out.getString("status"));
    assertEquals("0", out.getString("reward"));
    assertEquals("60", out.getString("total"));
    wallet = WalletTest.balance(api, user);
    assertEquals("100", wallet.getString("balance"));
    assertEquals("0", wallet.getString("staked"));
    // Withdrawing again (a retry after a lost answer) pays nothing more and answers the same.
    assertEquals(out, unstake(api, user, stake.getString("id"), 200));
    assertEquals("100", WalletTest.balance(api, user).getString("balance"));
  }

  @Test
  void withdrawalAfterUnlockPaysTheTermsReward(HttpApi api, Vertx vertx) throws Exception {
    JsonObject user = WalletTest.newUser(api);
    WalletTest.grant(api, admin, user.getString("id"), "100");
    JsonObject stake = stake(api, user, "100", 30, null, 201);
    termPassed(vertx, stake);

    JsonObject out = unstake(api, user, stake.getString("id"), 200);
    // 100 × 5 % × 30 / 365 = 0.410958904... rounded down to 1e-8.
    assertEquals("0.4109589", out.getString("reward"));
    assertEquals("100.4109589", out.getString("total"));
    JsonObject wallet = WalletTest.balance(api, user);
    assertEquals("100.4109589", wallet.getString("balance"));
    assertEquals("0.4109589", wallet.getString("earned"));
    assertTrue(api.get("/api/transactions?type=stake", user.getString("token")).expect(200).json()
        .getJsonArray("items").size() >= 3, "lock, return and reward in the history");
    JsonObject report = api.get("/api/ledger/verify", admin).expect(200).json();
    assertEquals(Boolean.TRUE, report.getBoolean("ok"), report::encodePrettily);
  }

  @Test
  void refusals(HttpApi api) {
    JsonObject user = WalletTest.newUser(api);
    WalletTest.grant(api, admin, user.getString("id"), "10");
    api.post("/api/wallet/stake", user.getString("token"), new JsonObject().put("amount", "11").put("days", 30))
        .expectProblem(402, "insufficient_funds");
    api.post("/api/wallet/stake", user.getString("token"), new JsonObject().put("amount", "1").put("days", 45))
        .expectProblem(400, "validation_failed");
    api.post("/api/wallet/stake", user.getString("token"), new JsonObject().put("amount", "0").put("days", 30))
        .expectProblem(400, "validation_failed");
    api.post("/api/wallet/stakes/" + UUID.randomUUID() + "/unstake", user.getString("token"), null)
        .expectProblem(404, "not_found");
    // Someone else's stake is not yours to withdraw.
    JsonObject stake = stake(api, user, "5", 30, null, 201);
    JsonObject other = WalletTest.newUser(api);
    api.post("/api/wallet/stakes/" + stake.getString("id") + "/unstake", other.getString("token"), null)
        .expectProblem(404, "not_found");
    // An idempotent stake: one lock however often it is sent.
    String key = "stake-" + UUID.randomUUID();
    JsonObject first = stake(api, user, "2", 365, key, 201);
    assertEquals(first, stake(api, user, "2", 365, key, 201));
    assertEquals("0.15", first.getString("rewardRate"));
    assertEquals("3", WalletTest.balance(api, user).getString("balance"));
    assertEquals("7", WalletTest.balance(api, user).getString("staked"));
  }

  @Test
  void twoUnstakesAtOnceReturnOneStakeOnce(HttpApi api, Vertx vertx) throws Exception {
    JsonObject user = WalletTest.newUser(api);
    WalletTest.grant(api, admin, user.getString("id"), "100");
    JsonObject stake = stake(api, user, "100", 30, null, 201);
    termPassed(vertx, stake);
    var answers = io.azora.support.AtOnce.run(6, i -> unstake(api, user, stake.getString("id"), 200));
    // Every answer is the same withdrawal; principal and reward paid once.
    answers.forEach(a -> assertEquals(answers.get(0), a));
    assertEquals("100.4109589", WalletTest.balance(api, user).getString("balance"));
    assertEquals("0", WalletTest.balance(api, user).getString("staked"));
    JsonObject report = api.get("/api/ledger/verify", admin).expect(200).json();
    assertEquals(Boolean.TRUE, report.getBoolean("ok"), report::encodePrettily);
  }

  @Test
  void twoStakesThatTogetherOverdrawLockOnlyWhatThereIs(HttpApi api) {
    JsonObject user = WalletTest.newUser(api);
    WalletTest.grant(api, admin, user.getString("id"), "100");
    var answers = io.azora.support.AtOnce.run(2, i -> api.send(HttpMethod.POST,
        "/api/wallet/stake", user.getString("token"), new JsonObject().put("amount", "60").put("days", 30).toBuffer(),
        Map.of()));
    assertEquals(1, answers.stream().filter(r -> r.status() == 201).count(), answers::toString);
    answers.stream().filter(r -> r.status() != 201).forEach(r -> r.expectProblem(402, "insufficient_funds"));
    JsonObject wallet = WalletTest.balance(api, user);
    assertEquals("40", wallet.getString("balance"));
    assertEquals("60", wallet.getString("staked"));
  }
}
