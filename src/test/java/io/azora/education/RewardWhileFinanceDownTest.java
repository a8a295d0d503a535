package io.azora.education;

import io.azora.finance.FinanceVerticle;
import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finance is down when the learner passes: the attempt is graded and stored all the same, and when
 * finance comes up it catches up from education's feed and pays the reward exactly once.
 */
class RewardWhileFinanceDownTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(Courses.withAdmin(new JsonObject()
      .put("node", new JsonObject().put("verticles", "auth,education,gateway"))
      .put("education", new JsonObject().put("rewardWaitMs", 300))));

  @Test
  void theRewardArrivesOnceFinanceIsBack(HttpApi api) throws Exception {
    JsonObject teacher = EnrollmentTest.user(api, "instructor");
    JsonObject student = EnrollmentTest.user(api, "student");
    String t = teacher.getString("token");
    String s = student.getString("token");
    String course = api.post("/api/courses", t, new JsonObject().put("title", "Offline").put("price", "0")
        .put("level", "beginner").put("category", "resilience")).expect(201).json().getString("id");
    String quiz = api.post("/api/courses/" + course + "/assessments", t, new JsonObject().put("title", "Q")
        .put("passingScore", 60).put("difficulty", "expert").put("questions", Courses.questions(3)))
        .expect(201).json().getString("id");
    String sentinelQuiz = api.post("/api/courses/" + course + "/assessments", t, new JsonObject().put("title", "Q2")
        .put("passingScore", 60).put("difficulty", "expert").put("questions", Courses.questions(3)))
        .expect(201).json().getString("id");
    // A lesson left undone keeps the course from completing (which would mint a second, course reward).
    String module = api.post("/api/courses/" + course + "/modules", t, new JsonObject().put("title", "M")).expect(201).json().getString("id");
    api.post("/api/courses/" + course + "/modules/" + module + "/lessons", t, new JsonObject().put("title", "L").put("content", "x"))
        .expect(201);
    api.post("/api/courses/" + course + "/publish", t, null).expect(200);
    Courses.verify(api, Courses.admin(api), course, "expert");
    api.post("/api/courses/" + course + "/enroll", s, null).expect(201);

    JsonObject attempt = api.post("/api/assessments/" + quiz + "/attempts", s, Courses.answers(3, 0)).expect(201).json();
    assertTrue(attempt.getBoolean("passed"));
    assertEquals("0", attempt.getValue("reward"), "finance has not answered: a decimal all the same");
    assertEquals(Boolean.TRUE, attempt.getBoolean("rewardPending"), attempt::encode);
    api.get("/api/wallet/balance", s).expectProblem(503, "service_unavailable");

    // Finance comes up: it reads education's feed from the start and mines what it missed.
    node.node().vertx().deployVerticle(FinanceVerticle.class, new DeploymentOptions().setConfig(node.node().config))
        .await(60, TimeUnit.SECONDS);
    long deadline = System.currentTimeMillis() + 20_000;
    String balance = null;
    while (System.currentTimeMillis() < deadline) {
      var response = api.get("/api/wallet/balance", s);
      if (response.status() == 200 && !"0".equals(response.json().getString("balance"))) {
        balance = response.json().getString("balance");
        break;
      }
      Thread.sleep(200);
    }
    // Expert, full marks: 25 × 0.5 × 3 × 2 = 75 AZR.
    assertEquals("75", balance);
    // Once: a second pass now (behind the first in education's feed) is paid live; when its reward shows,
    // everything before it was handled, and the wallet holds exactly the two rewards.
    JsonObject sentinel = api.post("/api/assessments/" + sentinelQuiz + "/attempts", s, Courses.answers(3, 0)).expect(201).json();
    assertEquals("75", sentinel.getString("reward"));
    assertEquals("150", api.get("/api/wallet/balance", s).expect(200).json().getString("balance"));
    assertEquals(2, api.get("/api/transactions?type=reward", s).expect(200).json().getJsonArray("items").size());
  }
}
