package io.azora.education;

import io.azora.platform.DomainEvent;
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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Enrolment (free and paid, through finance), lesson completion and progress, through the gateway. */
class EnrollmentTest {

  static final String ADMIN_EMAIL = "dean@azora.test";
  static final String ADMIN_PASSWORD = "dean-secret-passphrase";

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("auth", new JsonObject()
      .put("adminEmail", ADMIN_EMAIL).put("adminPassword", ADMIN_PASSWORD)));

  static String admin;
  static final List<JsonObject> enrolled = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void setUp() {
    admin = node.api().login(ADMIN_EMAIL, ADMIN_PASSWORD).getString("accessToken");
    node.node().vertx().eventBus().<JsonObject>consumer(DomainEvent.address("course.enrolled"), m -> enrolled.add(m.body()));
  }

  /** {id, token} of a new user with {@code role}. */
  static JsonObject user(HttpApi api, String role) {
    JsonObject t = api.register(role + "-" + UUID.randomUUID() + "@azora.test", "enrollment-passphrase", "Someone", role);
    return new JsonObject().put("id", t.getJsonObject("user").getString("id")).put("token", t.getString("accessToken"));
  }

  /** A published course of two modules (two lessons, one lesson): {id, lessons: [ids]}. */
  static JsonObject course(HttpApi api, JsonObject teacher, String price) {
    String t = teacher.getString("token");
    String id = api.post("/api/courses", t, new JsonObject().put("title", "Course " + UUID.randomUUID()).put("price", price)
        .put("level", "beginner").put("category", "testing")).expect(201).json().getString("id");
    JsonArray lessons = new JsonArray();
    for (int lessonsInModule : new int[] {2, 1}) {
      String module = api.post("/api/courses/" + id + "/modules", t, new JsonObject().put("title", "M")).expect(201).json().getString("id");
      for (int i = 0; i < lessonsInModule; i++) {
        lessons.add(api.post("/api/courses/" + id + "/modules/" + module + "/lessons", t,
            new JsonObject().put("title", "L" + i).put("content", "text " + i)).expect(201).json().getString("id"));
      }
    }
    api.post("/api/courses/" + id + "/publish", t, null).expect(200);
    return new JsonObject().put("id", id).put("lessons", lessons);
  }

  static String balance(HttpApi api, JsonObject user) {
    return api.get("/api/wallet/balance", user.getString("token")).expect(200).json().getString("balance");
  }

  @Test
  void paidEnrolmentChargesOnceAndProgressCounts(HttpApi api) throws Exception {
    JsonObject teacher = user(api, "instructor");
    JsonObject student = user(api, "student");
    JsonObject course = course(api, teacher, "12.5");
    String courseId = course.getString("id");

    api.post("/api/courses/" + courseId + "/enroll", student.getString("token"), null).expectProblem(402, "insufficient_funds");
    assertTrue(api.get("/api/progress/" + student.getString("id"), student.getString("token")).expect(200).json()
        .getJsonArray("enrollments").isEmpty(), "no enrolment without payment");

    api.post("/api/admin/wallets/" + student.getString("id") + "/grants", admin,
        new JsonObject().put("amount", "20").put("reason", "scholarship")).expect(201);
    // Two enrolments at once: one succeeds, one is refused, the price moves once.
    CompletableFuture<Response> a = CompletableFuture.supplyAsync(() -> api.post("/api/courses/" + courseId + "/enroll", student.getString("token"), null));
    CompletableFuture<Response> b = CompletableFuture.supplyAsync(() -> api.post("/api/courses/" + courseId + "/enroll", student.getString("token"), null));
    List<Integer> statuses = List.of(a.get().status(), b.get().status()).stream().sorted().toList();
    assertEquals(List.of(201, 409), statuses);
    JsonObject enrolment = (a.get().status() == 201 ? a.get() : b.get()).json();
    assertEquals("active", enrolment.getString("status"));
    assertEquals(0, enrolment.getInteger("progress"));
    assertEquals("12.5", enrolment.getString("paid"));
    assertEquals("7.5", balance(api, student));
    assertEquals("12.5", balance(api, teacher));
    api.post("/api/courses/" + courseId + "/enroll", student.getString("token"), null).expectProblem(409, "conflict");
    assertEquals("7.5", balance(api, student));

    // Enrolled: lessons open, completions count once each.
    String first = course.getJsonArray("lessons").getString(0);
    assertEquals("text 0", api.get("/api/lessons/" + first, student.getString("token")).expect(200).json().getString("content"));
    JsonObject p1 = api.post("/api/lessons/" + first + "/complete", student.getString("token"), null).expect(200).json();
    assertEquals(33, p1.getInteger("progress"));
    assertEquals(1, p1.getInteger("completedLessons"));
    assertEquals(3, p1.getInteger("totalLessons"));
    assertEquals(p1, api.post("/api/lessons/" + first + "/complete", student.getString("token"), null).expect(200).json());
    api.post("/api/lessons/" + course.getJsonArray("lessons").getString(1) + "/complete", student.getString("token"), null).expect(200);
    JsonObject progress = api.get("/api/progress/" + student.getString("id"), student.getString("token")).expect(200).json();
    JsonObject row = progress.getJsonArray("enrollments").getJsonObject(0);
    assertEquals(66, row.getInteger("progress"));
    assertEquals(1, row.getInteger("completedModules"));
    assertEquals(2, row.getInteger("totalModules"));
    assertEquals(100, api.post("/api/lessons/" + course.getJsonArray("lessons").getString(2) + "/complete",
        student.getString("token"), null).expect(200).json().getInteger("progress"));

    // Others: no lessons of courses they are not in, no one else's progress (admins may).
    JsonObject stranger = user(api, "student");
    api.post("/api/lessons/" + first + "/complete", stranger.getString("token"), null).expectProblem(403, "forbidden");
    api.get("/api/lessons/" + first, stranger.getString("token")).expectProblem(403, "forbidden");
    api.get("/api/progress/" + student.getString("id"), stranger.getString("token")).expectProblem(403, "forbidden");
    assertEquals(1, api.get("/api/progress/" + student.getString("id"), admin).expect(200).json().getJsonArray("enrollments").size());

    // course.enrolled once: counted where it is kept (education's outbox), not by what arrived first.
    io.vertx.sqlclient.Pool db = node.node().database(node.node().vertx(), "education");
    long events = db.preparedQuery("SELECT count(*) FROM nexus_outbox WHERE type = 'course.enrolled' "
            + "AND envelope->'data'->>'courseId' = $1 AND envelope->'data'->>'studentId' = $2")
        .execute(io.vertx.sqlclient.Tuple.of(courseId, student.getString("id"))).await(10, java.util.concurrent.TimeUnit.SECONDS)
        .iterator().next().getLong(0);
    db.close();
    assertEquals(1, events, "course.enrolled once");
  }

  static JsonObject enrolment(HttpApi api, JsonObject student, String courseId) {
    return api.get("/api/progress/" + student.getString("id"), student.getString("token")).expect(200).json()
        .getJsonArray("enrollments").stream().map(JsonObject.class::cast)
        .filter(e -> courseId.equals(e.getString("courseId"))).findFirst().orElseThrow();
  }

  static void complete(HttpApi api, JsonObject student, JsonArray lessons) {
    lessons.forEach(l -> api.post("/api/lessons/" + l + "/complete", student.getString("token"), null).expect(200));
  }

  @Test
  void aPublishedCourseGrowsWithoutTakingAnyonesProgress(HttpApi api) {
    JsonObject teacher = user(api, "instructor");
    JsonObject finisher = user(api, "student");
    JsonObject starter = user(api, "student");
    JsonObject course = course(api, teacher, "0");
    String id = course.getString("id");
    JsonArray lessons = course.getJsonArray("lessons");
    for (JsonObject s : List.of(finisher, starter)) {
      api.post("/api/courses/" + id + "/enroll", s.getString("token"), null).expect(201);
    }
    complete(api, finisher, lessons);
    complete(api, starter, new JsonArray().add(lessons.getString(0)));
    assertEquals("completed", enrolment(api, finisher, id).getString("status"));
    assertEquals(1, api.get("/api/me/credentials", finisher.getString("token")).expect(200).jsonArray().size());

    // Learners cannot edit it; an admin can, though the course is someone else's.
    api.send(HttpMethod.PATCH, "/api/courses/" + id, finisher.getString("token"),
        new JsonObject().put("title", "Mine now").toBuffer(), Map.of()).expectProblem(403, "forbidden");
    assertEquals("Revised by the dean", api.send(HttpMethod.PATCH, "/api/courses/" + id, admin,
        new JsonObject().put("title", "Revised by the dean").toBuffer(), Map.of()).expect(200).json().getString("title"));
    String module = api.get("/api/courses/" + id, null).expect(200).json().getJsonArray("modules").getJsonObject(0).getString("id");
    String added = api.post("/api/courses/" + id + "/modules/" + module + "/lessons", admin,
        new JsonObject().put("title", "Errata").put("content", "one more thing")).expect(201).json().getString("id");
    api.post("/api/courses/" + id + "/modules/" + module + "/lessons", finisher.getString("token"),
        new JsonObject().put("title", "Spam").put("content", "x")).expectProblem(403, "forbidden");

    // What each learner did still counts against the larger course; a finished course stays finished.
    JsonObject finished = enrolment(api, finisher, id);
    assertEquals("completed", finished.getString("status"));
    assertEquals(3, finished.getInteger("completedLessons"));
    assertEquals(4, finished.getInteger("totalLessons"));
    assertEquals(75, finished.getInteger("progress"));
    assertEquals(1, finished.getInteger("completedModules"), "the grown module is no longer complete");
    JsonObject started = enrolment(api, starter, id);
    assertEquals("active", started.getString("status"));
    assertEquals(1, started.getInteger("completedLessons"));
    assertEquals(25, started.getInteger("progress"));

    complete(api, starter, new JsonArray().add(lessons.getString(1)).add(lessons.getString(2)).add(added));
    assertEquals("completed", enrolment(api, starter, id).getString("status"));
    complete(api, finisher, new JsonArray().add(added));
    assertEquals(100, enrolment(api, finisher, id).getInteger("progress"));
    assertEquals(1, api.get("/api/me/credentials", finisher.getString("token")).expect(200).jsonArray().size(),
        "one credential per course, however it grew");
  }

  @Test
  void freeCoursesEnrolAtOnce(HttpApi api) {
    JsonObject teacher = user(api, "instructor");
    JsonObject student = user(api, "student");
    String courseId = course(api, teacher, "0").getString("id");
    JsonObject enrolment = api.post("/api/courses/" + courseId + "/enroll", student.getString("token"), null).expect(201).json();
    assertEquals("0", enrolment.getString("paid"));
    assertEquals(student.getString("id"), enrolment.getString("studentId"));
    api.post("/api/courses/" + UUID.randomUUID() + "/enroll", student.getString("token"), null).expectProblem(404, "not_found");
  }
}
