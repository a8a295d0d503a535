package io.azora.education;

import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalogue through the gateway: building, publishing, reading, searching and paging courses. */
class CatalogTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.defaults();

  static String token(HttpApi api, String role) {
    return api.register(role + "-" + UUID.randomUUID() + "@azora.test", "catalog-test-passphrase", "Teacher", role)
        .getString("accessToken");
  }

  static JsonObject course(String title, String category, String level, String... skills) {
    return new JsonObject().put("title", title).put("description", "About " + title).put("price", "12.5")
        .put("duration", 90).put("level", level).put("category", category).put("skills", new JsonArray(List.of(skills)));
  }

  static JsonObject create(HttpApi api, String instructor, JsonObject course) {
    return api.post("/api/courses", instructor, course).expect(201).json();
  }

  static JsonObject publishedWithLesson(HttpApi api, String instructor, JsonObject course, String lessonText) {
    JsonObject created = create(api, instructor, course);
    String id = created.getString("id");
    JsonObject module = api.post("/api/courses/" + id + "/modules", instructor, new JsonObject().put("title", "Basics"))
        .expect(201).json();
    api.post("/api/courses/" + id + "/modules/" + module.getString("id") + "/lessons", instructor,
        new JsonObject().put("title", "Lesson one").put("content", lessonText)).expect(201);
    api.post("/api/courses/" + id + "/publish", instructor, null).expect(200);
    return created;
  }

  @Test
  void instructorsBuildAndPublishCourses(HttpApi api) {
    String teacher = token(api, "instructor");
    String student = token(api, "student");
    api.post("/api/courses", student, course("Nope", "x", "beginner")).expectProblem(403, "forbidden");
    api.post("/api/courses", null, course("Nope", "x", "beginner")).expectProblem(401, "unauthorized");
    api.post("/api/courses", teacher, course("Bad", "x", "grandmaster")).expectProblem(400, "validation_failed");

    JsonObject created = create(api, teacher, course("Rust for Learners", "programming", "intermediate", "Rust", "rust", " systems "));
    String id = created.getString("id");
    assertFalse(created.getBoolean("published"));
    assertEquals("12.5", created.getString("price"));
    assertEquals(new JsonArray().add("rust").add("systems"), created.getJsonArray("skills"), "trimmed, lower-case, once");
    api.get("/api/courses/" + id, null).expectProblem(404, "not_found");
    api.get("/api/courses/" + id, student).expectProblem(404, "not_found");

    JsonObject second = api.post("/api/courses/" + id + "/modules", teacher, new JsonObject().put("title", "Ownership").put("order", 2))
        .expect(201).json();
    JsonObject first = api.post("/api/courses/" + id + "/modules", teacher, new JsonObject().put("title", "Setup").put("order", 1))
        .expect(201).json();
    String lessonPath = "/api/courses/" + id + "/modules/" + first.getString("id") + "/lessons";
    JsonObject lesson = api.post(lessonPath, teacher, new JsonObject().put("title", "Install").put("content", "# Install\nRun `rustup`."))
        .expect(201).json();
    api.post(lessonPath, teacher, new JsonObject().put("title", "Hello").put("content", "fn main() {}")).expect(201);
    api.post(lessonPath, teacher, new JsonObject().put("title", "Huge").put("content", "x".repeat(256 * 1024 + 1)))
        .expectProblem(400, "validation_failed");
    api.post("/api/courses/" + id + "/modules/" + UUID.randomUUID() + "/lessons", teacher,
        new JsonObject().put("title", "Lost").put("content", "x")).expectProblem(404, "not_found");

    JsonObject quiz = api.post("/api/courses/" + id + "/assessments", teacher, new JsonObject().put("title", "Quiz")
        .put("passingScore", 70).put("difficulty", "advanced").put("questions", new JsonArray()
            .add(new JsonObject().put("type", "single").put("prompt", "Borrow?").put("options", new JsonArray().add("a").add("b")).put("answer", 1))
            .add(new JsonObject().put("type", "numeric").put("prompt", "2+2").put("answer", 4).put("tolerance", 0))))
        .expect(201).json();
    assertFalse(quiz.encode().contains("\"answer\""), "answers are never shown: " + quiz.encode());
    assertFalse(quiz.encode().contains("tolerance"));
    JsonObject badQuestion = api.post("/api/courses/" + id + "/assessments", teacher, new JsonObject().put("title", "Bad")
        .put("passingScore", 70).put("difficulty", "advanced").put("questions", new JsonArray()
            .add(new JsonObject().put("type", "single").put("prompt", "?").put("options", new JsonArray().add("a").add("b")).put("answer", 5))))
        .expectProblem(400, "validation_failed");
    assertEquals("questions[0].answer", badQuestion.getJsonArray("errors").getJsonObject(0).getString("field"));

    // Another instructor may not touch it; its own instructor may.
    String other = token(api, "instructor");
    api.post("/api/courses/" + id + "/modules", other, new JsonObject().put("title", "Mine")).expectProblem(404, "not_found");
    api.post("/api/courses/" + id + "/publish", teacher, null).expect(200);
    api.send(io.vertx.core.http.HttpMethod.PATCH, "/api/courses/" + id, other, new JsonObject().put("title", "Mine").toBuffer(),
        java.util.Map.of()).expectProblem(403, "forbidden");
    JsonObject patched = api.send(io.vertx.core.http.HttpMethod.PATCH, "/api/courses/" + id, teacher,
        new JsonObject().put("price", 20).put("title", "Rust, Gently").toBuffer(), java.util.Map.of()).expect(200).json();
    assertEquals("20", patched.getString("price"));
    assertEquals("Rust, Gently", patched.getString("title"));
    assertEquals("intermediate", patched.getString("level"), "untouched fields stay");

    JsonObject shown = api.get("/api/courses/" + id, null).expect(200).json();
    assertTrue(shown.getBoolean("published"));
    JsonArray modules = shown.getJsonArray("modules");
    assertEquals(List.of("Setup", "Ownership"), modules.stream().map(m -> ((JsonObject) m).getString("title")).toList());
    assertEquals(second.getString("id"), modules.getJsonObject(1).getString("id"));
    assertEquals(2, modules.getJsonObject(0).getJsonArray("lessons").size());
    assertFalse(shown.encode().contains("rustup"), "the outline has no lesson content");
    assertEquals(2, shown.getJsonArray("assessments").getJsonObject(0).getInteger("questionCount"));

    // Lesson content: its instructor yes, a learner not enrolled no.
    assertTrue(api.get("/api/lessons/" + lesson.getString("id"), teacher).expect(200).json().getString("content").contains("rustup"));
    api.get("/api/lessons/" + lesson.getString("id"), student).expectProblem(403, "forbidden");
    api.get("/api/lessons/" + lesson.getString("id"), null).expectProblem(401, "unauthorized");
    api.get("/api/lessons/" + UUID.randomUUID(), student).expectProblem(404, "not_found");
  }

  @Test
  void searchFiltersAndPaging(HttpApi api) {
    String teacher = token(api, "instructor");
    String category = "cat-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject titled = publishedWithLesson(api, teacher, course("Photosynthesis Explained", category, "beginner", "biology"),
        "Light reactions and the Calvin cycle.");
    JsonObject lessonOnly = publishedWithLesson(api, teacher, course("Plant Life", category, "advanced", "biology", "botany"),
        "Chlorophyll drives photosynthesis in the leaves.");
    publishedWithLesson(api, teacher, course("Cell Division", category, "beginner", "biology"), "Mitosis and meiosis.");
    create(api, teacher, course("Photosynthesis Draft", category, "beginner"));  // unpublished: never listed

    JsonObject found = api.get("/api/courses?category=" + category + "&q=photosynthesis", null).expect(200).json();
    List<String> ids = found.getJsonArray("items").stream().map(c -> ((JsonObject) c).getString("id")).toList();
    assertEquals(List.of(titled.getString("id"), lessonOnly.getString("id")), ids, "title matches rank above lesson text");
    assertEquals(found.getJsonArray("items"), found.getJsonArray("courses"));
    assertEquals(2, found.getLong("total"));

    assertEquals(1, api.get("/api/courses?category=" + category + "&level=advanced", null).expect(200).json().getLong("total"));
    assertEquals(1, api.get("/api/courses?category=" + category + "&skill=Botany", null).expect(200).json().getLong("total"));
    assertEquals(0, api.get("/api/courses?category=" + category + "&q=quantum", null).expect(200).json().getLong("total"));

    // Page paging: total and pages; cursor paging walks the same list.
    JsonObject page1 = api.get("/api/courses?category=" + category + "&limit=2&page=1", null).expect(200).json();
    assertEquals(3, page1.getLong("total"));
    assertEquals(2, page1.getInteger("pages"));
    JsonObject page2 = api.get("/api/courses?category=" + category + "&limit=2&page=2", null).expect(200).json();
    assertEquals(1, page2.getJsonArray("items").size());
    assertNull(page2.getString("nextCursor"));
    List<String> byPages = new ArrayList<>();
    page1.getJsonArray("items").forEach(c -> byPages.add(((JsonObject) c).getString("id")));
    page2.getJsonArray("items").forEach(c -> byPages.add(((JsonObject) c).getString("id")));
    List<String> byCursor = new ArrayList<>();
    JsonObject page = api.get("/api/courses?category=" + category + "&limit=2", null).expect(200).json();
    while (true) {
      page.getJsonArray("items").forEach(c -> byCursor.add(((JsonObject) c).getString("id")));
      if (page.getString("nextCursor") == null) {
        break;
      }
      page = api.get("/api/courses?category=" + category + "&limit=2&cursor=" + page.getString("nextCursor"), null).expect(200).json();
    }
    assertEquals(byPages, byCursor);
    // A cursor page that holds exactly the rest says so: no empty page after it.
    String afterFirst = api.get("/api/courses?category=" + category + "&limit=1", null).expect(200).json().getString("nextCursor");
    JsonObject rest = api.get("/api/courses?category=" + category + "&limit=2&cursor=" + afterFirst, null).expect(200).json();
    assertEquals(2, rest.getJsonArray("items").size());
    assertNull(rest.getString("nextCursor"), rest::encode);
    api.get("/api/courses?cursor=garbage", null).expectProblem(400, "validation_failed");
    api.get("/api/courses?level=godlike", null).expectProblem(400, "validation_failed");
    api.get("/api/courses?page=0", null).expectProblem(400, "validation_failed");
  }
}
