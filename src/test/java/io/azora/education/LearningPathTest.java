package io.azora.education;

import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A learner's whole path on one node: enrol, fail and pass an assessment (graded server-side), the
 * Proof-of-Knowledge reward arriving in the wallet and in the attempt's answer, finishing the lessons,
 * the course completing, and a credential anyone can verify with the JWKS.
 */
@ExtendWith(VertxExtension.class)
class LearningPathTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(Courses.withAdmin(new JsonObject()));

  static JsonArray questions() {
    return new JsonArray()
        .add(new JsonObject().put("type", "single").put("prompt", "Who owns a value?")
            .put("options", new JsonArray().add("everyone").add("exactly one owner")).put("answer", 1))
        .add(new JsonObject().put("type", "multiple").put("prompt", "Which are Rust keywords?")
            .put("options", new JsonArray().add("fn").add("def").add("let")).put("answer", new JsonArray().add(0).add(2)))
        .add(new JsonObject().put("type", "numeric").put("prompt", "Pi to two places").put("answer", 3.1416).put("tolerance", 0.01))
        .add(new JsonObject().put("type", "text").put("prompt", "What checks borrows?")
            .put("answer", new JsonArray().add("the borrow checker").add("borrowck")));
  }

  static JsonObject answers(Object... values) {
    JsonArray answers = new JsonArray();
    for (int i = 0; i < values.length; i++) {
      answers.add(new JsonObject().put("questionIndex", i).put("value", values[i]));
    }
    return new JsonObject().put("answers", answers);
  }

  @Test
  void passLearnCompleteAndProveIt(HttpApi api, Vertx vertx) throws Exception {
    JsonObject teacher = EnrollmentTest.user(api, "instructor");
    JsonObject student = EnrollmentTest.user(api, "student");
    String t = teacher.getString("token");
    String s = student.getString("token");
    String course = api.post("/api/courses", t, new JsonObject().put("title", "Rust Ownership").put("price", "0")
        .put("level", "advanced").put("category", "programming").put("skills", new JsonArray().add("rust").add("memory safety")))
        .expect(201).json().getString("id");
    String module = api.post("/api/courses/" + course + "/modules", t, new JsonObject().put("title", "Basics")).expect(201).json().getString("id");
    String lesson = api.post("/api/courses/" + course + "/modules/" + module + "/lessons", t,
        new JsonObject().put("title", "Moves").put("content", "Values move.")).expect(201).json().getString("id");
    String quiz = api.post("/api/courses/" + course + "/assessments", t, new JsonObject().put("title", "Ownership quiz")
        .put("passingScore", 70).put("difficulty", "expert").put("questions", questions())).expect(201).json().getString("id");
    api.post("/api/courses/" + course + "/publish", t, null).expect(200);
    // An admin reviewed it: advanced, as the instructor said (the reviewed level sets the mining difficulty,
    // whatever the assessment claims).
    assertTrue(Courses.verify(api, Courses.admin(api), course, "advanced").getBoolean("rewardsVerified"));

    api.post("/api/assessments/" + quiz + "/attempts", s, answers(1, new JsonArray().add(0), 3.14, "borrowck"))
        .expectProblem(403, "forbidden");
    api.post("/api/courses/" + course + "/enroll", s, null).expect(201);
    api.post("/api/assessments/" + quiz + "/attempts", s, new JsonObject().put("answers", new JsonArray()
        .add(new JsonObject().put("questionIndex", 9).put("value", 1)))).expectProblem(400, "validation_failed");

    // One of four right: 25, failed, nothing earned.
    JsonObject failed = api.post("/api/assessments/" + quiz + "/attempts", s, answers(1, new JsonArray().add(0), 2.5, "compiler"))
        .expect(201).json();
    assertEquals(25, failed.getInteger("score"));
    assertFalse(failed.getBoolean("passed"));
    assertEquals("0", failed.getString("reward"));
    assertFalse(failed.encode().contains("borrow checker"), "answers never come back");

    // All right (text normalised, numeric within tolerance): the advanced reward, 25 × 0.5 × 2 × 2 = 50 AZR.
    Map<String, String> key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
    Buffer allRight = answers(1, new JsonArray().add(2).add(0), 3.14, "  The   BORROW checker ").toBuffer();
    JsonObject passed = api.send(HttpMethod.POST, "/api/assessments/" + quiz + "/attempts", s, allRight, key)
        .expect(201).json();
    // Its answer lost, the client sends it again with its key: the same attempt, not a second one graded.
    assertEquals(passed, api.send(HttpMethod.POST, "/api/assessments/" + quiz + "/attempts", s, allRight, key)
        .expect(201).json());
    assertEquals(100, passed.getInteger("score"));
    assertTrue(passed.getBoolean("passed"));
    assertTrue(passed.getBoolean("firstPass"));
    assertEquals("50", passed.getString("reward"));
    assertEquals("50", EnrollmentTest.balance(api, student));
    JsonObject again = api.post("/api/assessments/" + quiz + "/attempts", s,
        answers(1, new JsonArray().add(2).add(0), 3.14, "borrowck")).expect(201).json();
    assertFalse(again.getBoolean("firstPass"));
    assertEquals("0", again.getString("reward"), "a second pass earns nothing new");

    // The last lesson completes the course: course.completed, the completion reward (100 × 1 × 2), a credential.
    JsonObject done = api.post("/api/lessons/" + lesson + "/complete", s, null).expect(200).json();
    assertEquals(100, done.getInteger("progress"));
    assertEquals("completed", api.get("/api/progress/" + student.getString("id"), s).expect(200).json()
        .getJsonArray("enrollments").getJsonObject(0).getString("status"));
    long deadline = System.currentTimeMillis() + 10_000;
    while (!"250".equals(EnrollmentTest.balance(api, student)) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertEquals("250", EnrollmentTest.balance(api, student));

    JsonArray credentials = api.get("/api/me/credentials", s).expect(200).jsonArray();
    assertEquals(1, credentials.size());
    JsonObject credential = credentials.getJsonObject(0);
    assertEquals(course, credential.getString("courseId"));
    assertEquals(new JsonArray().add("rust").add("memory safety"), credential.getJsonArray("skills"));

    // Anyone can verify it with the public JWKS; it names the learner, the course and the skills.
    JsonObject jwks = api.get("/.well-known/jwks.json", null).expect(200).json();
    JWTAuthOptions options = new JWTAuthOptions();
    jwks.getJsonArray("keys").forEach(k -> options.addJwk((JsonObject) k));
    JWTAuth verifier = JWTAuth.create(vertx, options);
    JsonObject claims = verifier.authenticate(new TokenCredentials(credential.getString("credential")))
        .await(10, TimeUnit.SECONDS).principal();
    assertEquals(student.getString("id"), claims.getString("sub"));
    JsonObject vc = claims.getJsonObject("vc");
    assertTrue(vc.getJsonArray("type").contains("VerifiableCredential"));
    assertEquals(course, vc.getJsonObject("credentialSubject").getJsonObject("course").getString("id"));
    assertEquals(new JsonArray().add("rust").add("memory safety"), vc.getJsonObject("credentialSubject").getJsonArray("skills"));
    assertNull(claims.getValue("aud"));
    // It is no access token.
    api.get("/api/auth/profile", credential.getString("credential")).expectProblem(401, "unauthorized");
  }
}
