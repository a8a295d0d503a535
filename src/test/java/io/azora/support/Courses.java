package io.azora.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Course-building steps tests share: an admin to verify courses for rewards, and assessments that can earn. */
public final class Courses {

  public static final String ADMIN_EMAIL = "registrar@azora.test";
  public static final String ADMIN_PASSWORD = "registrar-passphrase";

  private Courses() {
  }

  /** Node configuration with the first admin, who verifies courses for rewards. */
  public static JsonObject withAdmin(JsonObject config) {
    return config.copy().mergeIn(new JsonObject().put("auth", new JsonObject()
        .put("adminEmail", ADMIN_EMAIL).put("adminPassword", ADMIN_PASSWORD)), true);
  }

  public static String admin(HttpApi api) {
    return api.login(ADMIN_EMAIL, ADMIN_PASSWORD).getString("accessToken");
  }

  /** {@code n} single-choice questions, each answered right by option 0. */
  public static JsonArray questions(int n) {
    JsonArray questions = new JsonArray();
    for (int i = 0; i < n; i++) {
      questions.add(new JsonObject().put("type", "single").put("prompt", "Question " + i)
          .put("options", new JsonArray().add("right").add("wrong")).put("answer", 0));
    }
    return questions;
  }

  /** The attempt body answering {@code value} to each of {@code n} questions. */
  public static JsonObject answers(int n, Object value) {
    JsonArray answers = new JsonArray();
    for (int i = 0; i < n; i++) {
      answers.add(new JsonObject().put("questionIndex", i).put("value", value));
    }
    return new JsonObject().put("answers", answers);
  }

  /** An admin verifies the course for rewards at {@code level}: the course as the API answers it. */
  public static JsonObject verify(HttpApi api, String adminToken, String courseId, String level) {
    return api.post("/api/admin/courses/" + courseId + "/verify", adminToken, new JsonObject().put("level", level))
        .expect(200).json();
  }

  /** A course at {@code level} (its instructor's claim; rewards follow an admin's review). */
  public static String course(HttpApi api, String token, String level, String price) {
    return api.post("/api/courses", token, new JsonObject().put("title", "Course").put("price", price)
        .put("level", level).put("category", "integrity")).expect(201).json().getString("id");
  }

  /** An expert assessment of {@code questions} single-choice questions, option 0 right. */
  public static String assessment(HttpApi api, String token, String course, int passingScore, int questions) {
    return api.post("/api/courses/" + course + "/assessments", token, new JsonObject().put("title", "Quiz")
        .put("passingScore", passingScore).put("difficulty", "expert").put("questions", questions(questions)))
        .expect(201).json().getString("id");
  }

  /** A module with one lesson: the lesson id. */
  public static String lesson(HttpApi api, String token, String course) {
    String module = api.post("/api/courses/" + course + "/modules", token, new JsonObject().put("title", "M"))
        .expect(201).json().getString("id");
    return api.post("/api/courses/" + course + "/modules/" + module + "/lessons", token,
        new JsonObject().put("title", "L").put("content", "text")).expect(201).json().getString("id");
  }

  /** Full marks on an assessment made by {@link #assessment}: the attempt as the API answers it. */
  public static JsonObject pass(HttpApi api, String token, String assessment, int questions) {
    return api.post("/api/assessments/" + assessment + "/attempts", token, answers(questions, 0)).expect(201).json();
  }
}
