package io.azora.finance;

import io.azora.platform.EventType;
import io.azora.education.EducationEvents;
import io.azora.platform.AzoraConfig;
import io.azora.platform.Databases;
import io.azora.platform.DomainEvent;
import io.azora.platform.Nexus;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.azora.support.StandInEducation;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proof-of-Knowledge mining end to end: education's events (written here by a stand-in producer with
 * the real outbox and relay) mint one reward per activity, whatever the redeliveries, within the daily
 * cap and the supply cap; /mining/start answers it; /mining/stats adds it up.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)  // the first test counts the supply from the start
class MiningTest {

  // Room for 150 AZR of minting above the initial supply; 100 AZR a day per learner.
  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject()
      // The stand-in producer below is education's only relay: the real education verticle stays off.
      .put("node", new JsonObject().put("verticles", "auth,finance,gateway"))
      .put("auth", new JsonObject().put("adminEmail", WalletTest.ADMIN_EMAIL).put("adminPassword", WalletTest.ADMIN_PASSWORD))
      .put("finance", new JsonObject().put("initialSupply", "100000000").put("maxSupply", "100000150")
          .put("mining", new JsonObject().put("dailyCap", "100"))));

  static StandInEducation education;
  static final List<JsonObject> mined = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void standInEducation() throws Exception {
    education = StandInEducation.start(node.node());
    node.node().vertx().eventBus().<JsonObject>consumer(DomainEvent.address("tokens.mined"), msg -> mined.add(msg.body()));
  }

  @AfterAll
  static void stop() throws Exception {
    education.close();
  }

  static DomainEvent emit(EventType type, JsonObject data) throws Exception {
    return education.emit(type, data);
  }

  static JsonObject passed(String userId, String assessmentId, String difficulty, int score) {
    return new JsonObject().put("userId", userId).put("assessmentId", assessmentId).put("difficulty", difficulty)
        .put("score", score).put("rewardable", true);
  }

  static JsonObject awaitWallet(HttpApi api, JsonObject user, Predicate<JsonObject> until) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    JsonObject wallet = WalletTest.balance(api, user);
    while (!until.test(wallet) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      wallet = WalletTest.balance(api, user);
    }
    return wallet;
  }

  static JsonObject start(HttpApi api, JsonObject user, String activityId, String type, int status) {
    return api.post("/api/mining/start", user.getString("token"),
        new JsonObject().put("activityId", activityId).put("activityType", type)).expect(status).json();
  }

  @Test
  @Order(1)
  void verifiedLearningMintsOncePerActivityWithinTheCaps(HttpApi api) throws Exception {
    String admin = api.login(WalletTest.ADMIN_EMAIL, WalletTest.ADMIN_PASSWORD).getString("accessToken");
    JsonObject ada = WalletTest.newUser(api);
    String assessment = UUID.randomUUID().toString();

    // An expert assessment passed with 100: 25 × 0.5 × 3 × 2 = 75 AZR. Delivered three times over: the
    // event again on the bus, and the activity again in a new event.
    DomainEvent event = emit(EducationEvents.ASSESSMENT_PASSED, passed(ada.getString("id"), assessment, "expert", 100));
    node.node().vertx().eventBus().request(Nexus.groupAddress("assessment.passed", "finance"), event.toJson())
        .await(10, TimeUnit.SECONDS);
    emit(EducationEvents.ASSESSMENT_PASSED, passed(ada.getString("id"), assessment, "expert", 100));
    awaitWallet(api, ada, w -> !"0".equals(w.getString("balance")));
    // A sentinel behind the duplicates (finance reads the feed in order): once it is handled, so are they.
    DomainEvent sentinel = emit(EducationEvents.ASSESSMENT_PASSED, passed(ada.getString("id"), UUID.randomUUID().toString(), "beginner", 70)
        .put("rewardable", false));
    awaitHandled(sentinel);
    JsonObject wallet = WalletTest.balance(api, ada);
    assertEquals("75", wallet.getString("balance"));
    assertEquals("75", wallet.getString("earned"));

    // Minted before the learner asked: the first ask answers 201 (its reward), every later one 200.
    JsonObject reward = start(api, ada, assessment, "assessment_passed", 201);
    assertEquals("75", reward.getString("tokensEarned"));
    assertEquals(wallet.getString("id"), reward.getString("walletId"));
    assertEquals(reward, start(api, ada, assessment, "assessment_passed", 200), "the same activity, the first result");
    JsonArray history = api.get("/api/transactions?type=reward", ada.getString("token")).expect(200).json().getJsonArray("items");
    assertEquals(1, history.size());
    assertEquals("credit", history.getJsonObject(0).getString("direction"));
    assertEquals(reward.getString("id"), history.getJsonObject(0).getString("id"));

    // Never verified for this learner: 422, nothing minted.
    api.post("/api/mining/start", ada.getString("token"), new JsonObject().put("activityId", UUID.randomUUID().toString())
        .put("activityType", "course_completion")).expectProblem(422, "activity_not_verified");
    JsonObject bea = WalletTest.newUser(api);
    api.post("/api/mining/start", bea.getString("token"), new JsonObject().put("activityId", assessment)
        .put("activityType", "assessment_passed")).expectProblem(422, "activity_not_verified");
    api.post("/api/mining/start", bea.getString("token"), new JsonObject().put("activityId", assessment)
        .put("activityType", "bribe")).expectProblem(400, "validation_failed");

    // The daily cap (100): a 100 AZR course completion pays the 25 left today, the next activity nothing.
    String course = UUID.randomUUID().toString();
    emit(EducationEvents.COURSE_COMPLETED, new JsonObject().put("userId", ada.getString("id")).put("courseId", course).put("level", "beginner").put("rewardable", true));
    awaitWallet(api, ada, w -> "100".equals(w.getString("balance")));
    assertEquals("25", start(api, ada, course, "course_completion", 201).getString("tokensEarned"));
    String capped = UUID.randomUUID().toString();
    emit(EducationEvents.ASSESSMENT_PASSED, passed(ada.getString("id"), capped, "beginner", 90));
    awaitMined(capped);
    assertEquals("0", start(api, ada, capped, "assessment_passed", 201).getString("tokensEarned"));

    // The supply cap: 150 AZR of room, 100 used; Bea's 100 AZR course gets the last 50, then nothing more.
    String beaCourse = UUID.randomUUID().toString();
    emit(EducationEvents.COURSE_COMPLETED, new JsonObject().put("userId", bea.getString("id")).put("courseId", beaCourse).put("level", "beginner").put("rewardable", true));
    awaitWallet(api, bea, w -> !"0".equals(w.getString("balance")));
    assertEquals("50", WalletTest.balance(api, bea).getString("balance"));
    String beaNext = UUID.randomUUID().toString();
    emit(EducationEvents.ASSESSMENT_PASSED, passed(bea.getString("id"), beaNext, "expert", 95));
    awaitMined(beaNext);
    assertEquals("0", start(api, bea, beaNext, "assessment_passed", 201).getString("tokensEarned"));

    JsonObject stats = api.get("/api/mining/stats", null).expect(200).json();
    assertEquals("100000150", stats.getString("maxSupply"));
    assertEquals("100000150", stats.getString("totalSupply"));
    assertEquals("150", stats.getString("mined"));
    assertEquals(0, stats.getInteger("epoch"));
    assertEquals("1", stats.getString("currentMultiplier"));
    assertEquals(3, stats.getInteger("rewardsThisEpoch"), "rewards that paid something");

    // One tokens.mined per activity, zero rewards included.
    assertEquals(1, mined.stream().filter(e -> assessment.equals(e.getJsonObject("data").getString("activityId"))).count());
    assertEquals("0", mined.stream().filter(e -> capped.equals(e.getJsonObject("data").getString("activityId")))
        .findFirst().orElseThrow().getJsonObject("data").getString("tokens"));
    JsonObject report = api.get("/api/ledger/verify", admin).expect(200).json();
    assertEquals(Boolean.TRUE, report.getBoolean("ok"), report::encodePrettily);
  }

  @Test
  @Order(2)
  void malformedEventsAreSkippedNotBlocking(HttpApi api) throws Exception {
    JsonObject cy = WalletTest.newUser(api);
    emit(EducationEvents.ASSESSMENT_PASSED, new JsonObject().put("userId", "not-a-user").put("assessmentId", "x"));
    String after = UUID.randomUUID().toString();
    emit(EducationEvents.COURSE_COMPLETED, new JsonObject().put("userId", cy.getString("id")).put("courseId", after).put("level", "beginner").put("rewardable", true));
    awaitMined(after);
    assertTrue(mined.stream().anyMatch(e -> after.equals(e.getJsonObject("data").getString("activityId"))));
  }

  /** Waits until finance has handled {@code event} (its inbox row is committed). */
  static void awaitHandled(DomainEvent event) throws Exception {
    Pool finance = node.node().database(node.node().vertx(), "finance");
    try {
      long deadline = System.currentTimeMillis() + 15_000;
      while (finance.preparedQuery("SELECT 1 FROM nexus_inbox WHERE consumer = 'finance' AND event_id = $1")
          .execute(io.vertx.sqlclient.Tuple.of(UUID.fromString(event.id()))).await(5, TimeUnit.SECONDS).size() == 0) {
        assertTrue(System.currentTimeMillis() < deadline, "finance never handled " + event.id());
        Thread.sleep(50);
      }
    } finally {
      finance.close();
    }
  }

  static void awaitMined(String activityId) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    while (mined.stream().noneMatch(e -> activityId.equals(e.getJsonObject("data").getString("activityId")))) {
      assertTrue(System.currentTimeMillis() < deadline, "tokens.mined for " + activityId);
      Thread.sleep(100);
    }
  }
}
