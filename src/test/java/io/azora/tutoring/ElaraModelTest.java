package io.azora.tutoring;

import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.azora.support.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Elara with an OpenAI-compatible model: a fake provider the test runs streams its answer as server-sent
 * events (CRLF framing, then [DONE]); what it was sent holds the lesson's text. When the provider fails
 * before answering, or stalls midway, the built-in tutor answers (or finishes) from the lessons and says so.
 */
@ExtendWith(VertxExtension.class)
class ElaraModelTest {

  /** How the fake provider behaves for the next request. */
  enum Behaviour { STREAM, FAIL, STALL_AFTER_ONE, NOTHING }

  static final Vertx providerVertx = Vertx.vertx();
  static final int providerPort = TestInfra.freePort();
  static final AtomicReference<Behaviour> behaviour = new AtomicReference<>(Behaviour.STREAM);
  static final List<JsonObject> received = new CopyOnWriteArrayList<>();
  static final List<String> authorizations = new CopyOnWriteArrayList<>();
  static final List<String> ANSWER = List.of("A closure ", "keeps ", "the variables ", "of its ", "scope.");

  static {
    HttpServer provider = providerVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      received.add(body.toJsonObject());
      authorizations.add(req.getHeader("Authorization"));
      switch (behaviour.get()) {
        case FAIL -> req.response().setStatusCode(500).end("{\"error\":\"down\"}");
        case NOTHING -> req.response().putHeader("Content-Type", "text/event-stream").end("data: [DONE]\n\n");
        case STALL_AFTER_ONE -> req.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
            .write(event(ANSWER.get(0)));  // and never another byte
        default -> {
          var response = req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
          ANSWER.forEach(piece -> response.write(event(piece)));
          response.end("data: [DONE]\r\n\r\n");
        }
      }
    }));
    provider.listen(providerPort, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
  }

  static String event(String content) {
    return "data: " + new JsonObject().put("choices", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("delta", new JsonObject().put("content", content)))).encode() + "\r\n\r\n";
  }

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("tutor", new JsonObject().put("llm",
      new JsonObject().put("baseUrl", "http://127.0.0.1:" + providerPort + "/v1").put("model", "test-model")
          .put("apiKey", "sk-test").put("timeoutMs", 2000).put("idleMs", 700))));

  static String course;
  static String learner;

  @BeforeAll
  static void courseWithALesson() {
    HttpApi api = node.api();
    String teacher = api.register("teacher-" + UUID.randomUUID() + "@azora.test", "tutor-passphrase", "T", "instructor")
        .getString("accessToken");
    course = api.post("/api/courses", teacher, new JsonObject().put("title", "Functions").put("price", "0")
        .put("level", "beginner").put("category", "programming")).expect(201).json().getString("id");
    String module = api.post("/api/courses/" + course + "/modules", teacher, new JsonObject().put("title", "M"))
        .expect(201).json().getString("id");
    api.post("/api/courses/" + course + "/modules/" + module + "/lessons", teacher,
        new JsonObject().put("title", "Closures").put("content", TutorTest.CLOSURES)).expect(201);
    api.post("/api/courses/" + course + "/assessments", teacher, new JsonObject().put("title", "Scope quiz")
        .put("passingScore", 50).put("difficulty", "beginner").put("questions", new io.vertx.core.json.JsonArray()
            .add(new JsonObject().put("type", "single").put("prompt", "How long does garbage collection keep a captured variable alive?")
                .put("options", new io.vertx.core.json.JsonArray().add("While its closure lives").add("Until the scope returns"))
                .put("answer", 0))));
    api.post("/api/courses/" + course + "/publish", teacher, null).expect(200);
    learner = api.register("learner-" + UUID.randomUUID() + "@azora.test", "tutor-passphrase", "L", null)
        .getString("accessToken");
    api.post("/api/courses/" + course + "/enroll", learner, null).expect(201);
  }

  @AfterAll
  static void stopProvider() {
    providerVertx.close();
  }

  /** Asks once the lesson is indexed: every message of the answer, the done (or error) last. */
  List<JsonObject> ask(Vertx vertx, String id) throws Exception {
    return ask(vertx, id, "What does a closure remember?");
  }

  List<JsonObject> ask(Vertx vertx, String id, String question) throws Exception {
    WebSocket ws = vertx.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(node.node().port).setURI("/api/tutor/ws?token=" + learner)).await(10, TimeUnit.SECONDS);
    LinkedBlockingQueue<JsonObject> queue = TutorTest.messages(ws);
    try {
      return TutorTest.ask(ws, queue, new JsonObject().put("type", "ask").put("id", id)
          .put("text", question).put("courseId", course));
    } finally {
      ws.close();
    }
  }

  static String text(List<JsonObject> answer) {
    StringBuilder text = new StringBuilder();
    answer.stream().filter(m -> "token".equals(m.getString("type"))).forEach(m -> text.append(m.getString("text")));
    return text.toString();
  }

  @Test
  void theModelsStreamedAnswerReachesTheSocketAndTheModelSawTheLesson(Vertx vertx) throws Exception {
    behaviour.set(Behaviour.STREAM);
    received.clear();
    List<JsonObject> answer = ask(vertx, "m1");
    JsonObject done = answer.get(answer.size() - 1);
    assertEquals("done", done.getString("type"), answer::toString);
    assertEquals("model", done.getString("mode"));
    assertEquals(String.join("", ANSWER), text(answer));
    assertEquals(ANSWER.size(), answer.size() - 1, "one socket message per streamed delta");
    assertEquals(1, done.getJsonArray("sources").size());
    JsonObject request = received.get(received.size() - 1);
    assertEquals("test-model", request.getString("model"));
    assertEquals(true, request.getBoolean("stream"));
    String prompt = request.getJsonArray("messages").encode();
    assertTrue(prompt.contains("remembers the variables of the scope where it was created"), prompt);
    assertTrue(prompt.contains("What does a closure remember?"));
    assertEquals("Bearer sk-test", authorizations.get(authorizations.size() - 1));
  }

  @Test
  void aProviderThatFailsLeavesTheAnswerToTheBuiltInTutor(Vertx vertx) throws Exception {
    behaviour.set(Behaviour.FAIL);
    List<JsonObject> answer = ask(vertx, "m2");
    JsonObject done = answer.get(answer.size() - 1);
    assertEquals("built-in", done.getString("mode"), answer::toString);
    assertTrue(text(answer).contains("remembers the variables"), text(answer));
  }

  @Test
  void aProviderThatAnswersNothingLeavesTheAnswerToTheBuiltInTutor(Vertx vertx) throws Exception {
    behaviour.set(Behaviour.NOTHING);
    List<JsonObject> answer = ask(vertx, "m4");
    assertEquals("built-in", answer.get(answer.size() - 1).getString("mode"), answer::toString);
    assertTrue(text(answer).contains("remembers the variables"), text(answer));
  }

  @Test
  void aProviderThatStallsMidwayIsFinishedByTheBuiltInTutor(Vertx vertx) throws Exception {
    behaviour.set(Behaviour.STALL_AFTER_ONE);
    long started = System.currentTimeMillis();
    List<JsonObject> answer = ask(vertx, "m3");
    JsonObject done = answer.get(answer.size() - 1);
    assertNotNull(done);
    assertEquals("model+built-in", done.getString("mode"), answer::toString);
    String text = text(answer);
    assertTrue(text.startsWith(ANSWER.get(0)), text);
    assertTrue(text.contains("stopped answering") && text.contains("remembers the variables"), text);
    assertTrue(System.currentTimeMillis() - started < 8_000, "the stall is cut after tutor.llm.idleMs");
  }

  @Test
  void anAssessmentQuestionPutsTheModelInSocraticModeWithoutTheAnswerKey(Vertx vertx) throws Exception {
    behaviour.set(Behaviour.STREAM);
    long deadline = System.currentTimeMillis() + 15_000;
    JsonObject done;
    do {  // until education's assessment.added has reached tutoring
      received.clear();
      List<JsonObject> answer = ask(vertx, "s1", "How long does garbage collection keep a captured variable alive, exactly?");
      done = answer.get(answer.size() - 1);
    } while (!"model-socratic".equals(done.getString("mode")) && System.currentTimeMillis() < deadline);
    assertEquals("model-socratic", done.getString("mode"), done::encode);
    String system = received.get(received.size() - 1).getJsonArray("messages").getJsonObject(0).getString("content");
    assertTrue(system.contains("Socratic mode") && system.contains("Scope quiz"), system);
    assertTrue(system.contains("Do not state the answer"), system);
    // Tutoring never had the options or the key: they cannot be in the prompt.
    assertFalse(received.get(received.size() - 1).encode().contains("While its closure lives"));
  }
}
