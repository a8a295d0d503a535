package io.azora.education;

import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A course's size is bounded (lessons per course, characters of lesson text indexed for search) and its
 * search index grows by each new lesson only: what was indexed stays searchable through later edits, text
 * past the budget is kept but not indexed.
 */
class LessonLimitsTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("education", new JsonObject()
      .put("maxLessonsPerCourse", 3).put("maxIndexedCharsPerCourse", 2000).put("catalogCacheSeconds", 0)));

  static JsonArray search(HttpApi api, String category, String q) {
    return api.get("/api/courses?category=" + category + "&q=" + q, null).expect(200).json().getJsonArray("items");
  }

  @Test
  void lessonsAreCappedAndIndexedWithinTheBudget(HttpApi api) {
    String t = EnrollmentTest.user(api, "instructor").getString("token");
    String category = "limits-" + UUID.randomUUID().toString().substring(0, 8);
    String course = api.post("/api/courses", t, new JsonObject().put("title", "Bounded").put("level", "beginner")
        .put("category", category)).expect(201).json().getString("id");
    String module = api.post("/api/courses/" + course + "/modules", t, new JsonObject().put("title", "M"))
        .expect(201).json().getString("id");
    String lessons = "/api/courses/" + course + "/modules/" + module + "/lessons";
    // 1,500 characters: all indexed. The second lesson has 500 characters of budget left: its first
    // words are indexed, a word further on is kept but not searchable.
    api.post(lessons, t, new JsonObject().put("title", "One").put("content", "aardvark " + "x".repeat(1490))).expect(201);
    api.post(lessons, t, new JsonObject().put("title", "Two")
        .put("content", "bandicoot " + "y ".repeat(600) + "zebraquagga")).expect(201);
    api.post(lessons, t, new JsonObject().put("title", "Three").put("content", "capybara")).expect(201);
    api.post(lessons, t, new JsonObject().put("title", "Four").put("content", "too many"))
        .expectProblem(409, "too_many_lessons");
    api.post("/api/courses/" + course + "/publish", t, null).expect(200);

    assertEquals(1, search(api, category, "aardvark").size());
    assertEquals(1, search(api, category, "bandicoot").size());
    assertEquals(0, search(api, category, "zebraquagga").size(), "past the indexing budget");
    assertEquals(0, search(api, category, "capybara").size(), "the budget was spent");
    assertEquals(3, api.get("/api/courses/" + course, null).expect(200).json().getJsonArray("modules")
        .getJsonObject(0).getJsonArray("lessons").size());

    // An edit of the course keeps what its lessons put in the index, and indexes the new title.
    api.send(HttpMethod.PATCH, "/api/courses/" + course, t, new JsonObject().put("title", "Renamed wombat").toBuffer(), Map.of())
        .expect(200);
    assertEquals(1, search(api, category, "wombat").size());
    assertEquals(1, search(api, category, "aardvark").size());
    assertEquals(0, search(api, category, "bounded").size());
  }
}
