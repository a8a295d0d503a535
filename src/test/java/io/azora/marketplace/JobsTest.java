package io.azora.marketplace;

import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.Market;
import io.azora.support.NodeExtension;
import io.azora.support.SocketClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The marketplace's jobs and applications through the gateway: posting (milestones, defaults, the rules on
 * budgets, deadlines and unknown fields), search and paging, editing and closing by the employer only,
 * applying once (in parallel too), the employer told, listing and withdrawing; and matching on skills
 * verified by a course an admin reviewed.
 */
@ExtendWith(VertxExtension.class)
class JobsTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(Courses.withAdmin(new JsonObject()));

  static JsonObject employer;
  static JsonObject freelancer;

  static JsonObject user(HttpApi api, String role) {
    return Market.user(api, role);
  }

  static JsonObject job(String title, String budget, String category, JsonArray skills) {
    return Market.job(title, budget, category, skills);
  }

  @BeforeAll
  static void people() {
    employer = user(node.api(), "employer");
    freelancer = user(node.api(), "student");
  }

  @Test
  void anEmployerPostsAJobWithMilestonesSummingToTheBudget() {
    HttpApi api = node.api();
    String e = employer.getString("token");
    JsonObject posted = api.post("/api/jobs", e, job("Checkout page", "120.5", "Web", new JsonArray().add("JavaScript")
        .add("Node JS").add("node_js"))).expect(201).json();
    assertEquals("open", posted.getString("status"));
    assertEquals("120.5", posted.getString("budget"));
    assertEquals("web", posted.getString("category"));
    assertEquals(new JsonArray().add("javascript").add("node-js"), posted.getJsonArray("skills"), "normalised, once each");
    JsonArray milestones = posted.getJsonArray("milestones");
    assertEquals(1, milestones.size());
    assertEquals("120.5", milestones.getJsonObject(0).getString("amount"), "one milestone of the whole budget");
    assertEquals(posted, api.get("/api/jobs/" + posted.getString("id"), null).expect(200).json());

    JsonObject split = api.post("/api/jobs", e, job("Two parts", "10", "web", new JsonArray().add("css"))
        .put("milestones", new JsonArray().add(new JsonObject().put("title", "Design").put("amount", "2.5"))
            .add(new JsonObject().put("title", "Build").put("amount", 7.5)))).expect(201).json();
    assertEquals(List.of("2.5", "7.5"), split.getJsonArray("milestones").stream()
        .map(m -> ((JsonObject) m).getString("amount")).toList());
  }

  @Test
  void badJobsAreRefusedWithTheFieldNamed() {
    HttpApi api = node.api();
    String e = employer.getString("token");
    JsonArray skills = new JsonArray().add("go");
    api.post("/api/jobs", e, job("Too precise", "1.123456789", "web", skills)).expectProblem(400, "validation_failed");
    api.post("/api/jobs", e, job("Past", "10", "web", skills).put("deadline", "2020-01-01T00:00:00Z"))
        .expectProblem(400, "validation_failed");
    api.post("/api/jobs", e, job("Not summing", "10", "web", skills).put("milestones", new JsonArray()
        .add(new JsonObject().put("title", "A").put("amount", "4")))).expectProblem(400, "validation_failed");
    api.post("/api/jobs", e, job("Unknown", "10", "web", skills).put("salary", "lots")).expectProblem(400, "validation_failed");
    api.post("/api/jobs", e, job("No skills", "10", "web", new JsonArray().add("  "))).expectProblem(400, "validation_failed");
    api.post("/api/jobs", e, job("Huge", "1e999999999", "web", skills)).expectProblem(400, "validation_failed");
    api.post("/api/jobs", freelancer.getString("token"), job("Not an employer", "10", "web", skills))
        .expectProblem(403, "forbidden");
    api.post("/api/jobs", null, job("Nobody", "10", "web", skills)).expectProblem(401, "unauthorized");
    api.get("/api/jobs/" + UUID.randomUUID(), null).expectProblem(404, "not_found");
  }

  @Test
  void openJobsAreSearchedFilteredAndPaged() {
    HttpApi api = node.api();
    String e = employer.getString("token");
    String category = "cat-" + UUID.randomUUID().toString().substring(0, 8);
    api.post("/api/jobs", e, job("Rust compiler plugin", "500", category, new JsonArray().add("rust"))).expect(201);
    api.post("/api/jobs", e, job("Kotlin mobile app", "50", category, new JsonArray().add("kotlin").add("android"))).expect(201);
    api.post("/api/jobs", e, job("Android widget", "20", category, new JsonArray().add("android"))).expect(201);
    String closed = api.post("/api/jobs", e, job("Closed android thing", "20", category, new JsonArray().add("android")))
        .expect(201).json().getString("id");
    api.post("/api/jobs/" + closed + "/close", e, null).expect(200);

    assertEquals(3, items(api, "/api/jobs?category=" + category).size(), "the closed one is not listed");
    assertEquals(List.of("Android widget", "Kotlin mobile app"), titles(api, "/api/jobs?category=" + category + "&skills=Android"));
    assertEquals(List.of("Kotlin mobile app"), titles(api, "/api/jobs?category=" + category + "&skills=android,kotlin&skillsMatch=all"));
    assertEquals(List.of("Rust compiler plugin"), titles(api, "/api/jobs?category=" + category + "&minBudget=100"));
    assertEquals(List.of("Android widget"), titles(api, "/api/jobs?category=" + category + "&maxBudget=20"));
    assertEquals(List.of("Rust compiler plugin"), titles(api, "/api/jobs?category=" + category + "&q=compiler"));
    // Ranked: the title weighs more than the description ("Android widget" says android twice there).
    assertEquals("Android widget", items(api, "/api/jobs?category=" + category + "&q=android+widget").getJsonObject(0)
        .getString("title"));

    // Pages of one, by cursor, ranked and not.
    for (String query : List.of("&limit=1", "&limit=1&q=shop")) {  // "shop": the same rank for all three
      List<String> seen = new ArrayList<>();
      String cursor = null;
      do {
        JsonObject page = api.get("/api/jobs?category=" + category + query + (cursor == null ? "" : "&cursor=" + cursor), null)
            .expect(200).json();
        page.getJsonArray("items").forEach(j -> seen.add(((JsonObject) j).getString("title")));
        cursor = page.getString("nextCursor");
      } while (cursor != null);
      assertEquals(3, seen.size(), seen::toString);
      assertEquals(seen.size(), seen.stream().distinct().count(), "no job twice: " + seen);
    }
    api.get("/api/jobs?cursor=garbage", null).expectProblem(400, "validation_failed");
    api.get("/api/jobs?minBudget=1.123456789", null).expectProblem(400, "validation_failed");
    api.get("/api/jobs?limit=1e2", null).expectProblem(400, "validation_failed");
  }

  @Test
  void aChangeToAJobShowsInTheListsAtOnce() {
    HttpApi api = node.api();
    String e = employer.getString("token");
    String category = "cache-" + UUID.randomUUID().toString().substring(0, 8);
    String id = api.post("/api/jobs", e, job("Cached one", "10", category, new JsonArray().add("go"))).expect(201).json()
        .getString("id");
    for (int i = 0; i < 2; i++) {  // the second read is a cache hit
      assertEquals(List.of("Cached one"), titles(api, "/api/jobs?category=" + category));
    }
    api.send(io.vertx.core.http.HttpMethod.PATCH, "/api/jobs/" + id, e, new JsonObject().put("title", "Renamed").toBuffer(),
        java.util.Map.of()).expect(200);
    assertEquals(List.of("Renamed"), titles(api, "/api/jobs?category=" + category));
    api.post("/api/jobs", e, job("Second", "10", category, new JsonArray().add("go"))).expect(201);
    assertEquals(List.of("Renamed", "Second"), titles(api, "/api/jobs?category=" + category));
    api.post("/api/jobs/" + id + "/close", e, null).expect(200);
    assertEquals(List.of("Second"), titles(api, "/api/jobs?category=" + category));
  }

  @Test
  void onlyTheEmployerEditsAndClosesAndOnlyWhileOpen() {
    HttpApi api = node.api();
    String e = employer.getString("token");
    String id = api.post("/api/jobs", e, job("Editable", "10", "web", new JsonArray().add("go"))).expect(201).json().getString("id");
    JsonObject edited = api.send(io.vertx.core.http.HttpMethod.PATCH, "/api/jobs/" + id, e,
        new JsonObject().put("title", "Edited").put("budget", "12").toBuffer(), java.util.Map.of()).expect(200).json();
    assertEquals("Edited", edited.getString("title"));
    assertEquals("12", edited.getJsonArray("milestones").getJsonObject(0).getString("amount"), "the milestone follows the budget");
    api.send(io.vertx.core.http.HttpMethod.PATCH, "/api/jobs/" + id, freelancer.getString("token"),
        new JsonObject().put("title", "Mine now").toBuffer(), java.util.Map.of()).expectProblem(403, "forbidden");
    api.post("/api/jobs/" + id + "/close", freelancer.getString("token"), null).expectProblem(403, "forbidden");
    assertEquals("closed", api.post("/api/jobs/" + id + "/close", e, null).expect(200).json().getString("status"));
    api.send(io.vertx.core.http.HttpMethod.PATCH, "/api/jobs/" + id, e, new JsonObject().put("title", "Again").toBuffer(),
        java.util.Map.of()).expectProblem(409, "job_not_open");
    api.post("/api/jobs/" + id + "/apply", freelancer.getString("token"), new JsonObject().put("proposal", "Me")
        .put("bidAmount", "5")).expectProblem(409, "job_not_open");
  }

  @Test
  void aFreelancerAppliesOnceAndTheEmployerIsTold(Vertx vertx) throws Exception {
    HttpApi api = node.api();
    String e = employer.getString("token");
    String id = api.post("/api/jobs", e, job("Apply here", "30", "web", new JsonArray().add("go"))).expect(201).json().getString("id");
    SocketClient employerEvents = SocketClient.connect(vertx, node.node().port, "/api/events/ws", e);
    JsonObject other = user(api, "student");

    // Parallel applications by one freelancer create one.
    List<CompletableFuture<Integer>> tries = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      tries.add(CompletableFuture.supplyAsync(() -> api.post("/api/jobs/" + id + "/apply", freelancer.getString("token"),
          new JsonObject().put("proposal", "I know Go well").put("bidAmount", "25.5")).status()));
    }
    List<Integer> statuses = tries.stream().map(CompletableFuture::join).sorted().toList();
    assertEquals(List.of(201, 409, 409, 409, 409, 409), statuses);
    api.post("/api/jobs/" + id + "/apply", other.getString("token"), new JsonObject().put("proposal", "Pick me")
        .put("bidAmount", 28)).expect(201);
    api.post("/api/jobs/" + id + "/apply", e, new JsonObject().put("proposal", "Myself").put("bidAmount", "1"))
        .expectProblem(403, "forbidden");
    api.post("/api/jobs/" + id + "/apply", other.getString("token"), new JsonObject().put("proposal", "x")
        .put("bidAmount", "1").put("extra", true)).expectProblem(400, "validation_failed");

    JsonObject told = employerEvents.next(m -> "notification".equals(m.getString("type"))
        && "application.received".equals(m.getString("kind")), 10, "application.received");
    assertEquals(id, told.getJsonObject("data").getString("jobId"));
    employerEvents.close();

    JsonObject list = api.get("/api/jobs/" + id + "/applications", e).expect(200).json();
    assertEquals(2, list.getJsonArray("items").size());
    api.get("/api/jobs/" + id + "/applications", other.getString("token")).expectProblem(403, "forbidden");
    JsonObject mine = api.get("/api/me/applications", freelancer.getString("token")).expect(200).json();
    JsonObject application = mine.getJsonArray("items").stream().map(a -> (JsonObject) a)
        .filter(a -> id.equals(a.getString("jobId"))).findFirst().orElseThrow();
    assertEquals("pending", application.getString("status"));
    assertEquals("25.5", application.getString("bidAmount"));

    api.post("/api/applications/" + application.getString("id") + "/withdraw", other.getString("token"), null)
        .expectProblem(404, "not_found");
    assertEquals("withdrawn", api.post("/api/applications/" + application.getString("id") + "/withdraw",
        freelancer.getString("token"), null).expect(200).json().getString("status"));
  }

  @Test
  void verifiedSkillsMatchJobsAndCandidates() throws Exception {
    HttpApi api = node.api();
    JsonObject learner = verifiedLearner(api);

    String skill = "go";  // "Golang" is a synonym of go
    String jobId = api.post("/api/jobs", employer.getString("token"), job("Go and gRPC backend", "80", "backend",
        new JsonArray().add(skill).add("grpc").add("kafka"))).expect(201).json().getString("id");

    JsonObject match = matchOf(api, learner, jobId, 15_000);
    assertEquals(new JsonArray().add("go").add("grpc"), match.getJsonArray("matchedSkills"));
    // Two of three skills at advanced (0.9), fresh, no reviews yet (0.9): 100 × 2 × 0.9 / 3 × 0.9 = 54.
    assertEquals(54.0, match.getDouble("score"));

    JsonArray candidates = api.get("/api/jobs/" + jobId + "/matches", employer.getString("token")).expect(200).jsonArray();
    // Other tests' learners may hold the same skills: this one is among them, in a list ranked best first.
    JsonObject candidate = candidates.stream().map(c -> (JsonObject) c)
        .filter(c -> learner.getString("id").equals(c.getString("userId"))).findFirst().orElseThrow();
    for (int i = 1; i < candidates.size(); i++) {
      assertTrue(candidates.getJsonObject(i - 1).getDouble("score") >= candidates.getJsonObject(i).getDouble("score"));
    }
    assertEquals(54.0, candidate.getDouble("score"));
    api.get("/api/jobs/" + jobId + "/matches", learner.getString("token")).expectProblem(403, "forbidden");

    // A new job that fits shows in the learner's matches at once (the cached ranking moves on).
    String newer = api.post("/api/jobs", employer.getString("token"), job("gRPC only", "20", "backend",
        new JsonArray().add("grpc"))).expect(201).json().getString("id");
    JsonObject fresh = api.get("/api/me/job-matches", learner.getString("token")).expect(200).jsonArray().stream()
        .map(m -> (JsonObject) m).filter(m -> newer.equals(m.getJsonObject("job").getString("id"))).findFirst().orElseThrow();
    assertEquals(81.0, fresh.getDouble("score"), "one of one skill at advanced, no reviews: 100 × 0.9 × 0.9");

    // Applying carries the same score.
    assertEquals(54.0, api.post("/api/jobs/" + jobId + "/apply", learner.getString("token"), new JsonObject()
        .put("proposal", "Verified").put("bidAmount", "70")).expect(201).json().getDouble("matchScore"));
  }

  @Test
  void anAdminRebuildsVerifiedSkillsFromEducationsFeed() throws Exception {
    HttpApi api = node.api();
    String admin = Courses.admin(api);
    JsonObject learner = verifiedLearner(api);
    String jobId = api.post("/api/jobs", employer.getString("token"), job("Go and gRPC rebuild", "80", "backend",
        new JsonArray().add("go").add("grpc").add("kafka"))).expect(201).json().getString("id");
    assertEquals(54.0, matchOf(api, learner, jobId, 15_000).getDouble("score"));

    // The read model goes wrong behind the marketplace's back: one skill lost, one made up.
    UUID user = UUID.fromString(learner.getString("id"));
    io.vertx.sqlclient.Pool db = node.node().database(node.node().vertx(), "marketplace");
    List<String> before = verifiedSkills(db, user);
    assertEquals(List.of("go:advanced", "grpc:advanced"), before);
    db.preparedQuery("DELETE FROM verified_skills WHERE user_id = $1 AND skill = 'grpc'").execute(io.vertx.sqlclient.Tuple.of(user))
        .compose(v -> db.preparedQuery("""
            INSERT INTO verified_skills (user_id, skill, course_id, level, completed_at) VALUES ($1, 'kafka', $2, 'expert', now())""")
            .execute(io.vertx.sqlclient.Tuple.of(user, UUID.randomUUID())))
        .await(5, java.util.concurrent.TimeUnit.SECONDS);

    api.post("/api/admin/nexus/consumers/marketplace/rebuild", learner.getString("token"), null).expectProblem(403, "forbidden");
    api.post("/api/admin/nexus/consumers/nobody/rebuild", admin, null).expectProblem(404, "not_found");
    api.post("/api/admin/nexus/consumers/Not%20a%20name/rebuild", admin, null).expectProblem(400, "validation_failed");
    JsonObject rewound = api.post("/api/admin/nexus/consumers/marketplace/rebuild", admin, null).expect(202).json();
    assertEquals(new JsonObject().put("consumer", "marketplace").put("source", "education").put("position", 0), rewound);

    // Replayed from education's feed: exactly what its events say, nothing made up, nothing twice.
    long deadline = System.currentTimeMillis() + 15_000;
    while (!verifiedSkills(db, user).equals(before) && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(before, verifiedSkills(db, user));
    long cursor = db.preparedQuery("SELECT position FROM nexus_cursor WHERE consumer = 'marketplace' AND source = 'education'")
        .execute().await(5, java.util.concurrent.TimeUnit.SECONDS).iterator().next().getLong(0);
    assertTrue(cursor > 0, "the cursor moved on through the feed again");
    db.close();
    JsonObject match = matchOf(api, learner, jobId, 5_000);
    assertEquals(new JsonArray().add("go").add("grpc"), match.getJsonArray("matchedSkills"));
    assertEquals(54.0, match.getDouble("score"));
  }

  @Test
  void aPersonsReviewsMoveTheirMatches() throws Exception {
    HttpApi api = node.api();
    String admin = Courses.admin(api);
    JsonObject learner = verifiedLearner(api);
    JsonObject hirer = user(api, "employer");
    Market.grant(api, admin, hirer, "50");
    String gig = api.post("/api/jobs", hirer.getString("token"), job("A Go gig", "20", "backend",
        new JsonArray().add("go"))).expect(201).json().getString("id");
    String watched = api.post("/api/jobs", employer.getString("token"), job("A gRPC service", "30", "backend",
        new JsonArray().add("grpc"))).expect(201).json().getString("id");
    assertEquals(81.0, matchOf(api, learner, watched, 15_000).getDouble("score"), "no reviews yet: × 0.9");

    String application = Market.apply(api, gig, learner);
    JsonObject contract = api.post("/api/applications/" + application + "/accept", hirer.getString("token"), null)
        .expect(201).json();
    String id = contract.getString("id");
    String milestone = contract.getJsonArray("milestones").getJsonObject(0).getString("id");
    api.post("/api/contracts/" + id + "/milestones/" + milestone + "/submit", learner.getString("token"), null).expect(200);
    api.post("/api/contracts/" + id + "/milestones/" + milestone + "/approve", hirer.getString("token"), null).expect(200);
    api.post("/api/contracts/" + id + "/reviews", hirer.getString("token"), new JsonObject().put("rating", 5)
        .put("comment", "Excellent")).expect(201);
    // Five stars: × (0.8 + 0.04 × 5) = × 1.0, at once (the cached ranking moves on with the review).
    assertEquals(90.0, matchOf(api, learner, watched, 0).getDouble("score"));
    JsonObject candidate = api.get("/api/jobs/" + watched + "/matches", employer.getString("token")).expect(200).jsonArray()
        .stream().map(c -> (JsonObject) c).filter(c -> learner.getString("id").equals(c.getString("userId")))
        .findFirst().orElseThrow();
    assertEquals(90.0, candidate.getDouble("score"));

    api.send(io.vertx.core.http.HttpMethod.PATCH, "/api/contracts/" + id + "/reviews", hirer.getString("token"),
        new JsonObject().put("rating", 1).toBuffer(), java.util.Map.of()).expect(200);
    assertEquals(75.6, matchOf(api, learner, watched, 0).getDouble("score"), "one star: 81 ÷ 0.9 × 0.84");
  }

  /** A learner who completed a published course an admin verified at advanced, teaching Golang and gRPC. */
  static JsonObject verifiedLearner(HttpApi api) {
    String admin = Courses.admin(api);
    JsonObject teacher = user(api, "instructor");
    JsonObject learner = user(api, "student");
    String t = teacher.getString("token");
    String course = api.post("/api/courses", t, new JsonObject().put("title", "Go services").put("price", "0")
        .put("level", "advanced").put("category", "backend").put("skills", new JsonArray().add("Golang").add("gRPC")))
        .expect(201).json().getString("id");
    String lesson = Courses.lesson(api, t, course);
    String quiz = Courses.assessment(api, t, course, 60, 3);
    api.post("/api/courses/" + course + "/publish", t, null).expect(200);
    Courses.verify(api, admin, course, "advanced");
    api.post("/api/courses/" + course + "/enroll", learner.getString("token"), null).expect(201);
    Courses.pass(api, learner.getString("token"), quiz, 3);
    api.post("/api/lessons/" + lesson + "/complete", learner.getString("token"), null).expect(200);  // completed
    return learner;
  }

  /** {@code learner}'s match with {@code jobId}, once education's course.completed has reached the marketplace. */
  static JsonObject matchOf(HttpApi api, JsonObject learner, String jobId, long waitMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + waitMs;
    while (true) {
      JsonObject match = api.get("/api/me/job-matches", learner.getString("token")).expect(200).jsonArray().stream()
          .map(m -> (JsonObject) m).filter(m -> jobId.equals(m.getJsonObject("job").getString("id"))).findFirst().orElse(null);
      if (match != null || System.currentTimeMillis() > deadline) {
        assertNotNull(match, "job " + jobId + " among the learner's matches");
        return match;
      }
      Thread.sleep(200);
    }
  }

  static List<String> verifiedSkills(io.vertx.sqlclient.Pool db, UUID user) throws Exception {
    List<String> skills = new ArrayList<>();
    db.preparedQuery("SELECT skill, level FROM verified_skills WHERE user_id = $1 ORDER BY skill")
        .execute(io.vertx.sqlclient.Tuple.of(user)).await(5, java.util.concurrent.TimeUnit.SECONDS)
        .forEach(r -> skills.add(r.getString("skill") + ":" + r.getString("level")));
    return skills;
  }

  static JsonArray items(HttpApi api, String path) {
    return api.get(path, null).expect(200).json().getJsonArray("items");
  }

  static List<String> titles(HttpApi api, String path) {
    return items(api, path).stream().map(j -> ((JsonObject) j).getString("title")).sorted().toList();
  }
}
