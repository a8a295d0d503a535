package io.azora.finance;

import io.azora.education.EducationEvents;
import io.azora.platform.DomainEvent;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.azora.support.StandInEducation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Minting in batches (issue 13): a burst of verified activities is minted in few transactions, with the
 * epochs, the daily cap and exactly-once kept as if each had been minted alone; what a node queued and
 * never minted (it died after the inbox commit) is minted by another's sweep.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)  // the stats count from the first burst
class MintBatchesTest {

  // The multiplier halves after 40 rewards; 20 AZR a learner a day.
  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject()
      .put("node", new JsonObject().put("verticles", "auth,finance,gateway"))
      .put("auth", new JsonObject().put("adminEmail", WalletTest.ADMIN_EMAIL).put("adminPassword", WalletTest.ADMIN_PASSWORD))
      .put("finance", new JsonObject().put("mining", new JsonObject().put("epochRewards", 40).put("dailyCap", "20"))));

  static StandInEducation education;
  static final List<JsonObject> mined = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void standInEducation() throws Exception {
    education = StandInEducation.start(node.node());
    node.node().vertx().eventBus().<JsonObject>consumer(DomainEvent.address("tokens.mined"), msg -> mined.add(msg.body().getJsonObject("data")));
  }

  @AfterAll
  static void stop() throws Exception {
    education.close();
  }

  /** A beginner assessment passed with 70: 25 × 0.5 = 12.5 AZR at epoch 0, 6.25 at epoch 1. */
  static JsonObject pass(String userId, String assessmentId) {
    return new JsonObject().put("userId", userId).put("assessmentId", assessmentId).put("difficulty", "beginner")
        .put("score", 70).put("rewardable", true);
  }

  static List<JsonObject> awaitMined(List<String> activityIds) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      List<JsonObject> found = mined.stream().filter(e -> activityIds.contains(e.getString("activityId"))).toList();
      if (found.stream().map(e -> e.getString("activityId")).distinct().count() == activityIds.size()) {
        return found;
      }
      assertTrue(System.currentTimeMillis() < deadline, "mined " + found.size() + " of " + activityIds.size());
      Thread.sleep(50);
    }
  }

  @Test
  @Order(1)
  void aBurstIsMintedOnceEachAcrossAnEpoch(HttpApi api) throws Exception {
    List<JsonObject> passes = new ArrayList<>();
    List<String> activities = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String assessment = UUID.randomUUID().toString();
      activities.add(assessment);
      passes.add(pass(UUID.randomUUID().toString(), assessment));
    }
    passes.add(passes.get(7).copy());  // the same activity again, in the same burst
    education.emitAll(EducationEvents.ASSESSMENT_PASSED, passes);

    List<JsonObject> rewards = awaitMined(activities);
    Thread.sleep(500);  // room for a second reward of the repeated activity, if one were minted
    assertEquals(60, mined.size(), "one reward per activity");
    Map<Integer, List<String>> byEpoch = rewards.stream().collect(Collectors.groupingBy(e -> e.getInteger("epoch"),
        Collectors.mapping(e -> e.getString("tokens"), Collectors.toList())));
    assertEquals(40, byEpoch.get(0).size());
    assertTrue(byEpoch.get(0).stream().allMatch("12.5"::equals), byEpoch::toString);
    assertEquals(20, byEpoch.get(1).size());
    assertTrue(byEpoch.get(1).stream().allMatch("6.25"::equals), byEpoch::toString);

    JsonObject stats = api.get("/api/mining/stats", null).expect(200).json();
    assertEquals("625", stats.getString("mined"), "40 × 12.5 + 20 × 6.25");
    assertEquals(1, stats.getInteger("epoch"));
    assertEquals(20, stats.getInteger("rewardsThisEpoch"));
  }

  @Test
  @Order(2)
  void theDailyCapHoldsInsideOneBatch(HttpApi api) throws Exception {
    JsonObject ada = WalletTest.newUser(api);
    List<String> activities = new ArrayList<>();
    List<JsonObject> passes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String assessment = UUID.randomUUID().toString();
      activities.add(assessment);
      passes.add(pass(ada.getString("id"), assessment));
    }
    education.emitAll(EducationEvents.ASSESSMENT_PASSED, passes);

    // 6.25 a pass at epoch 1, 20 a day: three whole rewards, 1.25, then nothing.
    List<String> tokens = awaitMined(activities).stream().map(e -> e.getString("tokens")).sorted().toList();
    assertEquals(List.of("0", "0", "1.25", "6.25", "6.25", "6.25"), tokens);
    JsonObject wallet = WalletTest.balance(api, ada);
    assertEquals("20", wallet.getString("balance"));
    assertEquals("20", wallet.getString("earned"));
    JsonArray history = api.get("/api/transactions?type=reward", ada.getString("token")).expect(200).json().getJsonArray("items");
    assertEquals(4, history.size(), "a transfer for each reward that paid something");
    JsonObject stats = api.get("/api/mining/stats", null).expect(200).json();
    assertEquals("645", stats.getString("mined"));
    assertEquals(24, stats.getInteger("rewardsThisEpoch"), "rewards that paid something");
  }

  @Test
  @Order(3)
  void whatADeadNodeQueuedIsMintedBySweeping(HttpApi api) throws Exception {
    JsonObject bea = WalletTest.newUser(api);
    String assessment = UUID.randomUUID().toString();
    // What a finance node leaves when it dies right after an inbox transaction commits: the activity
    // recorded and queued, its minter never nudged.
    Pool finance = node.node().database(node.node().vertx(), "finance");
    try {
      finance.withTransaction(tx -> tx.preparedQuery("""
              INSERT INTO verified_activities (user_id, activity_type, activity_id, difficulty, score, event_id)
              VALUES ($1, 'assessment_passed', $2, 'beginner', 70, $3)""")
          .execute(Tuple.of(UUID.fromString(bea.getString("id")), assessment, UUID.randomUUID()))
          .compose(v -> tx.preparedQuery("INSERT INTO mint_queue (user_id, activity_type, activity_id) VALUES ($1, 'assessment_passed', $2)")
              .execute(Tuple.of(UUID.fromString(bea.getString("id")), assessment)))).await(10, TimeUnit.SECONDS);
    } finally {
      finance.close();
    }
    awaitMined(List.of(assessment));
    assertEquals("6.25", MiningTest.awaitWallet(api, bea, w -> !"0".equals(w.getString("balance"))).getString("balance"));
    assertEquals("6.25", api.post("/api/mining/start", bea.getString("token"), new JsonObject().put("activityId", assessment)
        .put("activityType", "assessment_passed")).expect(201).json().getString("tokensEarned"), "the same reward, not another");

    String admin = api.login(WalletTest.ADMIN_EMAIL, WalletTest.ADMIN_PASSWORD).getString("accessToken");
    JsonObject report = api.get("/api/ledger/verify", admin).expect(200).json();
    assertEquals(Boolean.TRUE, report.getBoolean("ok"), report::encodePrettily);
  }
}
