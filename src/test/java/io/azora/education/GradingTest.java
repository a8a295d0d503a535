package io.azora.education;

import io.azora.auth.IdentityService;
import io.azora.platform.Caller;
import io.azora.support.DomainAlone;
import io.azora.support.FakeIdentity;
import io.azora.support.Outcome;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fast tier: grading, case by case, as education answers an attempt on the bus — the questions stored in
 * its database as an instructor wrote them, each case a new learner enrolled in the course. Education
 * alone; auth a fake.
 */
@Tag("fast")
class GradingTest {

  /** One question of each type; 5 points in all, so each point is 20 %. */
  static final JsonArray QUESTIONS = new JsonArray()
      .add(new JsonObject().put("type", "single").put("prompt", "Which?").put("options", new JsonArray().add("a").add("b").add("c"))
          .put("answer", 1))
      .add(new JsonObject().put("type", "multiple").put("prompt", "Which ones?").put("points", 2).put("partialCredit", true)
          .put("options", new JsonArray().add("a").add("b").add("c").add("d")).put("answer", new JsonArray().add(0).add(2)))
      .add(new JsonObject().put("type", "numeric").put("prompt", "Pi to two places?").put("answer", "3.14")
          .put("tolerance", "0.01"))
      .add(new JsonObject().put("type", "text").put("prompt", "Who wrote the first program?")
          .put("answer", new JsonArray().add("Ada Lovelace").add("Lovelace")));

  static DomainAlone education;
  static EducationService service;
  static String assessmentId;
  static String courseId;

  @BeforeAll
  static void start() throws Exception {
    education = DomainAlone.start("education", new JsonObject())
        .fake(IdentityService.ADDRESS, IdentityService.class, new FakeIdentity());
    service = EducationService.createProxy(education.vertx(), DomainAlone.calls());
    Caller instructor = new Caller(UUID.randomUUID().toString(), UUID.randomUUID().toString(), List.of("instructor"));
    courseId = answer(service.createCourse(instructor, new JsonObject().put("title", "Grading").put("description", "d")
        .put("level", "beginner").put("category", "testing").put("price", "0"))).getString("id");
    assessmentId = answer(service.addAssessment(instructor, courseId, new JsonObject().put("title", "Quiz")
        .put("passingScore", 60).put("difficulty", "beginner").put("questions", QUESTIONS))).getString("id");
    answer(service.publishCourse(instructor, courseId));
  }

  @AfterAll
  static void stop() throws Exception {
    education.close();
  }

  @ParameterizedTest(name = "{0}: {5} %")
  @CsvSource(delimiter = ';', nullValues = "-", value = {
      // case;                                   single; multiple; numeric; text;            score
      "all right;                                 1;      [0,2];    \"3.14\"; \"ada  lovelace\"; 100",
      "nothing answered;                          -;      -;        -;       -;               0",
      "the single-choice question only;           1;      -;        -;       -;               20",
      "a wrong option;                            0;      [0,2];    \"3.14\"; \"Lovelace\";       80",
      "half the right options (partial credit);   1;      [0];      \"3.14\"; \"Lovelace\";       80",
      "a right and a wrong option cancel;         1;      [0,1];    \"3.14\"; \"Lovelace\";       60",
      "both right options and a wrong one;        1;      [0,2,3];  \"3.14\"; \"Lovelace\";       80",
      "every option;                              1;      [0,1,2,3]; \"3.14\"; \"Lovelace\";      60",
      "within the tolerance;                      -;      -;        \"3.15\"; -;               20",
      "just outside the tolerance;                -;      -;        \"3.1501\"; -;             0",
      "a number rather than a string;             -;      -;        3.13;    -;               20",
      "written as people write it;                -;      -;        \"+3.14\"; -;              20",
      "an exponent never expanded;                -;      -;        \"1e999999999\"; -;        0",
      "case and spaces ignored;                   -;      -;        -;       \" LOVELACE \";    20",
      "a near miss;                               -;      -;        -;       \"Lovelac\";       0",
      "the wrong type of answer;                  \"1\";  \"0\";    [3.14];  7;               0",
  })
  void grades(String what, String single, String multiple, String numeric, String text, int score) throws Exception {
    Caller learner = new Caller(UUID.randomUUID().toString(), UUID.randomUUID().toString(), List.of("student"));
    answer(service.enroll(learner, courseId, new JsonObject()));
    JsonArray answers = new JsonArray();
    String[] given = {single, multiple, numeric, text};
    for (int i = 0; i < given.length; i++) {
      if (given[i] != null) {
        answers.add(new JsonObject().put("questionIndex", i).put("value", io.vertx.core.json.Json.decodeValue(given[i])));
      }
    }
    JsonObject attempt = answer(service.attempt(learner, assessmentId, new JsonObject().put("answers", answers)));
    assertEquals(score, attempt.getInteger("score"), what);
    assertEquals(score >= 60, attempt.getBoolean("passed"), what);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "a question index past the last;    [{\"questionIndex\":4,\"value\":1}];                             answers[0].questionIndex",
      "a negative question index;         [{\"questionIndex\":-1,\"value\":1}];                            answers[0].questionIndex",
      "one question answered twice;       [{\"questionIndex\":0,\"value\":1},{\"questionIndex\":0,\"value\":2}]; answers[1].questionIndex",
  })
  void refusesAnswersToNoQuestion(String what, String answers, String field) throws Exception {
    Caller learner = new Caller(UUID.randomUUID().toString(), UUID.randomUUID().toString(), List.of("student"));
    answer(service.enroll(learner, courseId, new JsonObject()));
    Outcome outcome = Outcome.of(service.attempt(learner, assessmentId, new JsonObject().put("answers", new JsonArray(answers))));
    assertEquals("400 validation_failed", outcome.toString(), what);
    io.vertx.serviceproxy.ServiceException e = (io.vertx.serviceproxy.ServiceException) outcome.value();
    assertEquals(field, e.getDebugInfo().getJsonArray("errors").getJsonObject(0).getString("field"), what);
  }

  static JsonObject answer(io.vertx.core.Future<JsonObject> call) {
    Outcome outcome = Outcome.of(call);
    assertEquals(200, outcome.status(), () -> "answered " + outcome + ": " + outcome.value());
    return (JsonObject) outcome.value();
  }
}
