package io.azora.education;

import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.HttpApi.Response;
import io.azora.support.NodeExtension;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proof-of-Knowledge integrity (API.md): AZR cannot be minted from nothing. The exploit (an instructor's
 * own expert course, a one-question quiz with a passing score of 0, enrolment in the unpublished course)
 * earns nothing, nor do unverified courses or assessments below the minimums; the honest path earns the
 * exact reward at the level the admin reviewed; attempts are limited; a learner never pays a price they
 * did not agree to.
 */
class ProofOfKnowledgeTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(Courses.withAdmin(new JsonObject()
      .put("education", new JsonObject().put("attemptsPerWindow", 3).put("attemptWindowSeconds", 3))));

  static String admin;

  @BeforeAll
  static void signIn() {
    admin = Courses.admin(node.api());
  }

  @Test
  void theMintingExploitEarnsNothing(HttpApi api) {
    String minedBefore = api.get("/api/mining/stats", null).expect(200).json().getString("mined");
    JsonObject miner = EnrollmentTest.user(api, "instructor");
    String m = miner.getString("token");
    String course = Courses.course(api, m, "expert", "0");
    String quiz = Courses.assessment(api, m, course, 0, 1);
    Courses.lesson(api, m, course);

    // Enrolling in one's own unpublished course is refused; others do not even see it.
    api.post("/api/courses/" + course + "/enroll", m, null).expectProblem(409, "not_published");
    JsonObject puppet = EnrollmentTest.user(api, "student");
    String p = puppet.getString("token");
    api.post("/api/courses/" + course + "/enroll", p, null).expectProblem(404, "not_found");

    // Published and even verified by an admin: the instructor's own pass earns nothing...
    api.post("/api/courses/" + course + "/publish", m, null).expect(200);
    assertTrue(Courses.verify(api, admin, course, "expert").getBoolean("rewardsVerified"));
    api.post("/api/courses/" + course + "/enroll", m, null).expect(201);
    JsonObject own = Courses.pass(api, m, quiz, 1);
    assertTrue(own.getBoolean("passed") && own.getBoolean("firstPass"));
    assertEquals("0", own.getString("reward"));

    // ...nor a sock puppet's pass of a quiz below the minimums (passing score 0, one question).
    api.post("/api/courses/" + course + "/enroll", p, null).expect(201);
    JsonObject puppetPass = Courses.pass(api, p, quiz, 1);
    assertTrue(puppetPass.getBoolean("firstPass"));
    assertEquals("0", puppetPass.getString("reward"));

    // A proper quiz in an unverified course earns nothing either.
    String other = Courses.course(api, m, "expert", "0");
    String proper = Courses.assessment(api, m, other, 80, 3);
    Courses.lesson(api, m, other);
    api.post("/api/courses/" + other + "/publish", m, null).expect(200);
    api.post("/api/courses/" + other + "/enroll", p, null).expect(201);
    assertEquals("0", Courses.pass(api, p, proper, 3).getString("reward"));

    assertEquals("0", EnrollmentTest.balance(api, miner));
    assertEquals("0", EnrollmentTest.balance(api, puppet));
    api.post("/api/mining/start", p, new JsonObject().put("activityId", proper).put("activityType", "assessment_passed"))
        .expectProblem(422, "activity_not_verified");
    assertEquals(minedBefore, api.get("/api/mining/stats", null).expect(200).json().getString("mined"));
  }

  @Test
  void theHonestPathEarnsTheExactRewardAtTheReviewedLevel(HttpApi api) throws Exception {
    JsonObject teacher = EnrollmentTest.user(api, "instructor");
    JsonObject learner = EnrollmentTest.user(api, "student");
    String t = teacher.getString("token");
    String s = learner.getString("token");
    // The instructor calls it expert; the admin reviews it as intermediate: rewards follow the review.
    String course = Courses.course(api, t, "expert", "0");
    String quiz = Courses.assessment(api, t, course, 70, 4);
    String lesson = Courses.lesson(api, t, course);
    api.post("/api/courses/" + course + "/publish", t, null).expect(200);
    JsonObject verified = Courses.verify(api, admin, course, "intermediate");
    assertEquals("intermediate", verified.getString("rewardLevel"));
    assertEquals("intermediate", verified.getString("level"));
    assertTrue(api.get("/api/courses/" + course, null).expect(200).json().getBoolean("rewardsVerified"));
    // Only admins verify.
    api.post("/api/admin/courses/" + course + "/verify", t, new JsonObject().put("level", "expert"))
        .expectProblem(403, "forbidden");

    api.post("/api/courses/" + course + "/enroll", s, null).expect(201);
    // Full marks at intermediate: 25 × 0.5 × 1.5 × 2 = 37.5 AZR.
    assertEquals("37.5", Courses.pass(api, s, quiz, 4).getString("reward"));
    // Completion at intermediate: 100 × 1 × 1.5 = 150 AZR more.
    api.post("/api/lessons/" + lesson + "/complete", s, null).expect(200);
    long deadline = System.currentTimeMillis() + 10_000;
    while (!"187.5".equals(EnrollmentTest.balance(api, learner)) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertEquals("187.5", EnrollmentTest.balance(api, learner));
  }

  @Test
  void anEditToItsAssessmentsClearsTheVerification(HttpApi api) {
    JsonObject teacher = EnrollmentTest.user(api, "instructor");
    JsonObject learner = EnrollmentTest.user(api, "student");
    String t = teacher.getString("token");
    VerifiedCourse verified = verifiedCourse(api, t, "advanced");
    String course = verified.course();
    String quiz = verified.quiz();

    // A new assessment (what the admin reviewed has changed): no rewards until reviewed again, and a review
    // of the version before it cannot verify it.
    int reviewed = api.get("/api/courses/" + course, null).expect(200).json().getInteger("assessmentsVersion");
    Courses.assessment(api, t, course, 0, 1);
    api.post("/api/admin/courses/" + course + "/verify", admin, new JsonObject().put("level", "advanced")
        .put("assessmentsVersion", reviewed)).expectProblem(409, "course_changed");
    JsonObject page = api.get("/api/courses/" + course, null).expect(200).json();
    assertFalse(page.getBoolean("rewardsVerified"));
    assertNull(page.getValue("rewardLevel"));
    api.post("/api/courses/" + course + "/enroll", learner.getString("token"), null).expect(201);
    assertEquals("0", Courses.pass(api, learner.getString("token"), quiz, 3).getString("reward"));
    assertEquals("0", EnrollmentTest.balance(api, learner));
  }

  @Test
  void attemptsAreLimitedPerLearnerAndAssessment(HttpApi api) throws Exception {
    JsonObject teacher = EnrollmentTest.user(api, "instructor");
    JsonObject learner = EnrollmentTest.user(api, "student");
    String t = teacher.getString("token");
    String s = learner.getString("token");
    String course = Courses.course(api, t, "beginner", "0");
    String quiz = Courses.assessment(api, t, course, 60, 3);
    String other = Courses.assessment(api, t, course, 60, 3);
    api.post("/api/courses/" + course + "/publish", t, null).expect(200);
    api.post("/api/courses/" + course + "/enroll", s, null).expect(201);

    // Ten guesses at once: exactly the three the window allows are graded.
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      List<CompletableFuture<Response>> guesses = IntStream.range(0, 10).mapToObj(i -> CompletableFuture.supplyAsync(() ->
          api.send(HttpMethod.POST, "/api/assessments/" + quiz + "/attempts", s, Courses.answers(3, 1).toBuffer(), Map.of()),
          pool)).toList();
      List<Response> answers = guesses.stream().map(CompletableFuture::join).toList();
      assertEquals(3, answers.stream().filter(r -> r.status() == 201).count(), answers::toString);
      List<Response> refused = answers.stream().filter(r -> r.status() != 201).toList();
      assertEquals(7, refused.size());
      for (Response r : refused) {
        r.expectProblem(429, "attempt_limit");
        int wait = Integer.parseInt(r.header("Retry-After"));
        assertTrue(wait >= 1 && wait <= 3, "Retry-After " + wait);
      }
    } finally {
      pool.shutdown();
    }
    // Another assessment has its own quota; once the window has passed, this one is open again.
    api.post("/api/assessments/" + other + "/attempts", s, Courses.answers(3, 0)).expect(201);
    Thread.sleep(3_100);
    assertTrue(Courses.pass(api, s, quiz, 3).getBoolean("passed"));
  }

  @Test
  void aLearnerPaysOnlyThePriceTheyAgreedTo(HttpApi api) {
    JsonObject teacher = EnrollmentTest.user(api, "instructor");
    JsonObject learner = EnrollmentTest.user(api, "student");
    String t = teacher.getString("token");
    String s = learner.getString("token");
    String course = Courses.course(api, t, "beginner", "10");
    Courses.lesson(api, t, course);
    api.post("/api/courses/" + course + "/publish", t, null).expect(200);
    api.post("/api/admin/wallets/" + learner.getString("id") + "/grants", admin,
        new JsonObject().put("amount", "20").put("reason", "scholarship")).expect(201);

    // The price goes up between the learner's look and their click.
    api.send(HttpMethod.PATCH, "/api/courses/" + course, t, new JsonObject().put("price", "15").toBuffer(), Map.of()).expect(200);
    JsonObject problem = api.post("/api/courses/" + course + "/enroll", s, new JsonObject().put("expectedPrice", "10"))
        .expectProblem(409, "price_changed");
    assertEquals("15", problem.getString("price"));
    assertEquals("20", EnrollmentTest.balance(api, learner), "nothing charged");
    assertTrue(api.get("/api/progress/" + learner.getString("id"), s).expect(200).json().getJsonArray("enrollments").isEmpty());

    // At the price they now agree to (as a JSON number, exactly): enrolled, charged once.
    api.post("/api/courses/" + course + "/enroll", s, new JsonObject().put("expectedPrice", 15)).expect(201);
    assertEquals("5", EnrollmentTest.balance(api, learner));
    assertEquals("15", EnrollmentTest.balance(api, teacher));
    JsonArray enrollments = api.get("/api/progress/" + learner.getString("id"), s).expect(200).json().getJsonArray("enrollments");
    assertEquals(1, enrollments.size());
  }

  @Test
  void twoFirstPassesAtOnceEarnOneReward(HttpApi api) throws Exception {
    JsonObject teacher = EnrollmentTest.user(api, "instructor");
    JsonObject learner = EnrollmentTest.user(api, "student");
    String t = teacher.getString("token");
    VerifiedCourse verified = verifiedCourse(api, t, "beginner");
    String course = verified.course();
    String quiz = verified.quiz();
    api.post("/api/courses/" + course + "/enroll", learner.getString("token"), null).expect(201);

    List<JsonObject> passes = io.azora.support.AtOnce.run(2, i -> Courses.pass(api, learner.getString("token"), quiz, 3));
    assertEquals(1, passes.stream().filter(p -> p.getBoolean("firstPass")).count(), passes::toString);
    // Beginner, full marks: 25 × 0.5 × 1 × 2 = 25 AZR, once.
    assertEquals("25", passes.stream().filter(p -> p.getBoolean("firstPass")).findFirst().orElseThrow().getString("reward"));
    assertEquals("25", EnrollmentTest.balance(api, learner));
    assertEquals(1, api.get("/api/transactions?type=reward", learner.getString("token")).expect(200).json()
        .getJsonArray("items").size());
  }

  @Test
  void twoLastLessonsCompletedAtOnceCompleteTheCourseOnce(HttpApi api) throws Exception {
    JsonObject teacher = EnrollmentTest.user(api, "instructor");
    JsonObject learner = EnrollmentTest.user(api, "student");
    String t = teacher.getString("token");
    String s = learner.getString("token");
    String course = Courses.course(api, t, "beginner", "0");
    String module = api.post("/api/courses/" + course + "/modules", t, new JsonObject().put("title", "M"))
        .expect(201).json().getString("id");
    List<String> lessons = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      lessons.add(api.post("/api/courses/" + course + "/modules/" + module + "/lessons", t,
          new JsonObject().put("title", "L" + i).put("content", "text")).expect(201).json().getString("id"));
    }
    api.post("/api/courses/" + course + "/publish", t, null).expect(200);
    Courses.verify(api, admin, course, "beginner");
    api.post("/api/courses/" + course + "/enroll", s, null).expect(201);
    api.post("/api/lessons/" + lessons.get(0) + "/complete", s, null).expect(200);

    // The two last lessons, each sent twice, all at once: one completion, one credential, one reward.
    List<Response> done = io.azora.support.AtOnce.run(4, i -> api.post("/api/lessons/" + lessons.get(1 + i % 2) + "/complete", s, null));
    done.forEach(r -> r.expect(200));
    long deadline = System.currentTimeMillis() + 10_000;
    while (!"100".equals(EnrollmentTest.balance(api, learner)) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    // Beginner completion: 100 × 1 × 1 = 100 AZR; a second pass at minting would show as a second reward.
    assertEquals("100", EnrollmentTest.balance(api, learner));
    assertEquals(1, api.get("/api/transactions?type=reward", s).expect(200).json().getJsonArray("items").size());
    JsonArray credentials = api.get("/api/me/credentials", s).expect(200).jsonArray();
    assertEquals(1, credentials.size());
    io.vertx.sqlclient.Pool db = node.node().database(node.node().vertx(), "education");
    long completions = db.preparedQuery("SELECT count(*) FROM nexus_outbox WHERE type = 'course.completed' "
            + "AND envelope->'data'->>'courseId' = $1").execute(io.vertx.sqlclient.Tuple.of(course))
        .await(10, java.util.concurrent.TimeUnit.SECONDS).iterator().next().getLong(0);
    db.close();
    assertEquals(1, completions, "course.completed once");
  }

  /** A free course of one lesson and a rewardable quiz (passing score 60, 3 questions), published and verified. */
  private record VerifiedCourse(String course, String quiz) {
  }

  private VerifiedCourse verifiedCourse(HttpApi api, String instructorToken, String level) {
    String course = Courses.course(api, instructorToken, "beginner", "0");
    String quiz = Courses.assessment(api, instructorToken, course, 60, 3);
    Courses.lesson(api, instructorToken, course);
    api.post("/api/courses/" + course + "/publish", instructorToken, null).expect(200);
    Courses.verify(api, admin, course, level);
    return new VerifiedCourse(course, quiz);
  }
}
