package io.azora.finance;

import io.azora.auth.IdentityService;
import io.azora.education.EducationEvents;
import io.azora.platform.DomainEvent;
import io.azora.platform.EventType;
import io.azora.support.DomainAlone;
import io.azora.support.FakeIdentity;
import io.azora.support.Outcome;
import io.azora.support.StandInEducation;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fast tier: the Proof-of-Knowledge formula (base × weight × difficulty × score bonus, README), case by
 * case, as finance mines it from education's events — finance alone, education a stand-in producer with
 * the real outbox and relay. Each case is a new learner, so the daily cap stays out of the way.
 */
@Tag("fast")
class RewardFormulaTest {

  static DomainAlone finance;
  static StandInEducation education;
  static FinanceService service;
  static Pool financeDb;

  @BeforeAll
  static void start() throws Exception {
    finance = DomainAlone.start("finance", new JsonObject())
        .fake(IdentityService.ADDRESS, IdentityService.class, new FakeIdentity());
    education = StandInEducation.start(finance.node());
    service = FinanceService.createProxy(finance.vertx(), DomainAlone.calls());
    financeDb = finance.node().database(finance.vertx(), "finance");
  }

  @AfterAll
  static void stop() throws Exception {
    financeDb.close().await(5, TimeUnit.SECONDS);
    education.close();
    finance.close();
  }

  @ParameterizedTest(name = "{0} at {1}, score {2}: {3} AZR")
  @CsvSource(nullValues = "none", value = {
      // activity,       difficulty,   score, AZR
      "assessment.passed, beginner,     70,    12.5",
      "assessment.passed, beginner,     100,   25",
      "assessment.passed, intermediate, 85,    28.125",
      "assessment.passed, intermediate, 77,    23.125",
      "assessment.passed, advanced,     100,   50",
      "assessment.passed, expert,       60,    37.5",
      "assessment.passed, legendary,    70,    12.5",    // an unknown difficulty counts as beginner
      "assessment.passed, expert,       150,   75",      // a score over 100 earns no more than 100
      "course.completed,  beginner,     none,  100",
      "course.completed,  advanced,     none,  200",
      "course.completed,  expert,       none,  300",
  })
  void minesTheFormula(String activity, String difficulty, Integer score, String azr) throws Exception {
    String learner = UUID.randomUUID().toString();
    String activityId = UUID.randomUUID().toString();
    boolean course = activity.equals(EducationEvents.COURSE_COMPLETED.name());
    EventType type = course ? EducationEvents.COURSE_COMPLETED : EducationEvents.ASSESSMENT_PASSED;
    JsonObject data = new JsonObject().put("userId", learner).put(course ? "courseId" : "assessmentId", activityId)
        .put("difficulty", difficulty).put("rewardable", true);
    if (score != null) {
      data.put("score", score);
    }
    awaitHandled(education.emit(type, data));
    JsonObject ask = new JsonObject().put("activityType", course ? "course_completion" : "assessment_passed")
        .put("activityId", activityId);
    JsonObject reward = (JsonObject) Outcome.of(service.startMining(learner, ask)).value();
    assertEquals(azr, new java.math.BigDecimal(reward.getString("tokensEarned")).stripTrailingZeros().toPlainString());
    assertEquals(true, reward.getBoolean("created"), "the learner's first ask (201)");
    JsonObject again = (JsonObject) Outcome.of(service.startMining(learner, ask)).value();
    assertEquals(false, again.getBoolean("created"), "asked again: the first result (200)");
    assertEquals(reward.getString("id"), again.getString("id"));
    // Minted once, from the event: the wallet holds that one reward.
    assertEquals(azr, new java.math.BigDecimal(((JsonObject) Outcome.of(service.balance(learner)).value())
        .getString("balance")).stripTrailingZeros().toPlainString());
  }

  @ParameterizedTest(name = "rewardable {0}: nothing mined")
  @CsvSource({"false", "none"})
  void anActivityEducationDoesNotCallRewardableEarnsNothing(String rewardable) throws Exception {
    String learner = UUID.randomUUID().toString();
    String assessment = UUID.randomUUID().toString();
    JsonObject data = new JsonObject().put("userId", learner).put("assessmentId", assessment)
        .put("difficulty", "expert").put("score", 100);
    if (!rewardable.equals("none")) {
      data.put("rewardable", Boolean.parseBoolean(rewardable));
    }
    awaitHandled(education.emit(EducationEvents.ASSESSMENT_PASSED, data));
    Outcome outcome = Outcome.of(service.startMining(learner, new JsonObject().put("activityType", "assessment_passed")
        .put("activityId", assessment)));
    assertEquals("422 activity_not_verified", outcome.toString());
  }

  /** Waits until finance's inbox has the event: its handler ran and committed. */
  static void awaitHandled(DomainEvent event) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      if (financeDb.preparedQuery("SELECT 1 FROM nexus_inbox WHERE consumer = 'finance' AND event_id = $1")
          .execute(Tuple.of(UUID.fromString(event.id()))).await(5, TimeUnit.SECONDS).size() > 0) {
        return;
      }
      Thread.sleep(20);
    }
    assertTrue(false, "finance handled " + event.type() + " within 10 s");
  }
}
