package io.azora.tutoring;

import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Elara over a real WebSocket through the gateway: authenticated at the upgrade, answers streamed token by
 * token from the course's own lessons with their sources, only for courses the asker may read.
 */
@ExtendWith(VertxExtension.class)
class TutorTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.defaults();

  static final String CLOSURES = """
      # Closures

      A closure is a function that remembers the variables of the scope where it was created, even after
      that scope has returned. Counters and memoised functions are built from closures.

      Garbage collection keeps a captured variable alive for as long as the closure that captured it.""";

  static String course;
  static String lesson;
  static String learner;
  static String stranger;

  @BeforeAll
  static void courseWithALesson(Vertx vertx) throws Exception {
    HttpApi api = node.api();
    String teacher = api.register("teacher-" + UUID.randomUUID() + "@azora.test", "tutor-passphrase", "T", "instructor")
        .getString("accessToken");
    course = api.post("/api/courses", teacher, new JsonObject().put("title", "JavaScript functions").put("price", "0")
        .put("level", "beginner").put("category", "programming")).expect(201).json().getString("id");
    String module = api.post("/api/courses/" + course + "/modules", teacher, new JsonObject().put("title", "Functions"))
        .expect(201).json().getString("id");
    lesson = api.post("/api/courses/" + course + "/modules/" + module + "/lessons", teacher,
        new JsonObject().put("title", "Closures").put("content", CLOSURES)).expect(201).json().getString("id");
    api.post("/api/courses/" + course + "/assessments", teacher, new JsonObject().put("title", "Closures quiz")
        .put("passingScore", 50).put("difficulty", "beginner").put("questions", new JsonArray()
            .add(new JsonObject().put("type", "single").put("prompt", "What keeps a captured variable alive after its scope returned?")
                .put("options", new JsonArray().add("The closure that captured it").add("Nothing")).put("answer", 0))));
    api.post("/api/courses/" + course + "/publish", teacher, null).expect(200);
    learner = api.register("learner-" + UUID.randomUUID() + "@azora.test", "tutor-passphrase", "L", null)
        .getString("accessToken");
    stranger = api.register("stranger-" + UUID.randomUUID() + "@azora.test", "tutor-passphrase", "S", null)
        .getString("accessToken");
    api.post("/api/courses/" + course + "/enroll", learner, null).expect(201);
  }

  WebSocketConnectOptions socket(String query) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.node().port).setURI("/api/tutor/ws" + query);
  }

  /** Connects, and queues every text message the server sends. */
  static LinkedBlockingQueue<JsonObject> messages(WebSocket ws) {
    LinkedBlockingQueue<JsonObject> queue = new LinkedBlockingQueue<>();
    ws.textMessageHandler(text -> queue.add(new JsonObject(text)));
    return queue;
  }

  /** Asks until the course's lesson has been indexed (education's event reaches tutoring), then answers. */
  static List<JsonObject> ask(WebSocket ws, LinkedBlockingQueue<JsonObject> queue, JsonObject question) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    while (true) {
      ws.writeTextMessage(question.encode());
      List<JsonObject> answer = new java.util.ArrayList<>();
      JsonObject m;
      do {
        m = queue.poll(15, TimeUnit.SECONDS);
        assertNotNull(m, "an answer within 15 s");
        answer.add(m);
      } while ("token".equals(m.getString("type")));
      boolean found = "done".equals(m.getString("type")) && !m.getJsonArray("sources").isEmpty();
      if (found || !"done".equals(m.getString("type")) || System.currentTimeMillis() > deadline) {
        return answer;
      }
      Thread.sleep(200);
    }
  }

  @Test
  void streamsAnAnswerFromTheLessonWithItsSources(Vertx vertx) throws Exception {
    WebSocket ws = vertx.createWebSocketClient().connect(socket("?token=" + learner))
        .await(10, TimeUnit.SECONDS);
    LinkedBlockingQueue<JsonObject> queue = messages(ws);
    List<JsonObject> answer = ask(ws, queue, new JsonObject().put("type", "ask").put("id", "q1")
        .put("text", "What does a closure remember?").put("courseId", course));
    JsonObject done = answer.get(answer.size() - 1);
    assertEquals("done", done.getString("type"), answer::toString);
    assertEquals("q1", done.getString("id"));
    assertEquals(new JsonArray().add(new JsonObject().put("lessonId", lesson).put("title", "Closures")), done.getJsonArray("sources"));
    assertEquals("built-in", done.getString("mode"));
    List<JsonObject> tokens = answer.subList(0, answer.size() - 1);
    assertTrue(tokens.size() > 10, "streamed token by token: " + tokens.size());
    assertTrue(tokens.stream().allMatch(t -> "q1".equals(t.getString("id"))));
    String text = String.join("", tokens.stream().map(t -> t.getString("text")).toList());
    assertTrue(text.contains("remembers the variables of the scope where it was created"), text);

    // The turn is kept: the learner's history about the course.
    JsonObject history = node.api().get("/api/tutor/history?courseId=" + course, learner).expect(200).json();
    assertEquals("What does a closure remember?", history.getJsonArray("items").getJsonObject(0).getString("question"));
    ws.close();
  }

  @Test
  void anAssessmentQuestionGetsHintsNotTheAnswer(Vertx vertx) throws Exception {
    WebSocket ws = vertx.createWebSocketClient().connect(socket("?token=" + learner)).await(10, TimeUnit.SECONDS);
    LinkedBlockingQueue<JsonObject> queue = messages(ws);
    long deadline = System.currentTimeMillis() + 15_000;
    List<JsonObject> answer;
    JsonObject done;
    do {  // until education's assessment.added has reached tutoring
      answer = ask(ws, queue, new JsonObject().put("type", "ask").put("id", "quiz")
          .put("text", "What keeps a captured variable alive after its scope has returned?").put("courseId", course));
      done = answer.get(answer.size() - 1);
    } while (!"socratic".equals(done.getString("mode")) && System.currentTimeMillis() < deadline);
    assertEquals("socratic", done.getString("mode"), done::encode);
    String text = String.join("", answer.subList(0, answer.size() - 1).stream().map(t -> t.getString("text")).toList());
    assertTrue(text.contains("Closures quiz") && text.contains("\"Closures\""), text);
    // The lesson states the answer ("Garbage collection keeps a captured variable alive for as long as the
    // closure..."): the hint points at the lesson without quoting it.
    assertFalse(text.contains("for as long as the closure"), text);
    assertEquals(new JsonArray().add(new JsonObject().put("lessonId", lesson).put("title", "Closures")), done.getJsonArray("sources"));

    // A question that is not the assessment's is answered as usual.
    List<JsonObject> plain = ask(ws, queue, new JsonObject().put("type", "ask").put("id", "plain")
        .put("text", "What are counters built from?").put("courseId", course));
    assertEquals("built-in", plain.get(plain.size() - 1).getString("mode"));
    ws.close();
  }

  @Test
  void theTokenMayComeAsTheSubprotocolWhichIsEchoed(Vertx vertx) throws Exception {
    WebSocket ws = vertx.createWebSocketClient().connect(socket("").setSubProtocols(List.of("bearer." + learner)))
        .await(10, TimeUnit.SECONDS);
    assertEquals("bearer." + learner, ws.subProtocol());
    ws.close();
  }

  @Test
  void noTokenIsRefusedWith401BeforeTheUpgrade(Vertx vertx) {
    for (String query : List.of("", "?token=not-a-token")) {
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> vertx.createWebSocketClient().connect(socket(query)).toCompletionStage().toCompletableFuture()
              .get(10, TimeUnit.SECONDS));
      assertInstanceOf(UpgradeRejectedException.class, e.getCause());
      assertEquals(401, ((UpgradeRejectedException) e.getCause()).getStatus());
    }
  }

  @Test
  void aCourseTheAskerMayNotReadIsRefusedAndBadMessagesAreAnswered(Vertx vertx) throws Exception {
    WebSocket ws = vertx.createWebSocketClient().connect(socket("?token=" + stranger)).await(10, TimeUnit.SECONDS);
    LinkedBlockingQueue<JsonObject> queue = messages(ws);
    ws.writeTextMessage("{not json");
    JsonObject malformed = queue.poll(10, TimeUnit.SECONDS);
    assertEquals("malformed", malformed.getString("code"), String.valueOf(malformed));
    ws.writeTextMessage(new JsonObject().put("type", "ask").put("id", "q2").put("text", "What is a closure?")
        .put("courseId", course).encode());
    JsonObject refused = queue.poll(10, TimeUnit.SECONDS);
    assertEquals("error", refused.getString("type"), String.valueOf(refused));
    assertEquals(403, refused.getInteger("status"));
    assertEquals("q2", refused.getString("id"));
    ws.writeTextMessage(new JsonObject().put("type", "ask").put("id", "q3").put("text", "").encode());
    JsonObject empty = queue.poll(10, TimeUnit.SECONDS);
    assertEquals("validation_failed", empty.getString("code"), String.valueOf(empty));
    // Asked about all their courses, a stranger hears nothing of a course they are not enrolled in.
    ws.writeTextMessage(new JsonObject().put("type", "ask").put("id", "q4").put("text", "What is a closure?").encode());
    List<JsonObject> answer = new java.util.ArrayList<>();
    JsonObject m;
    do {
      m = queue.poll(10, TimeUnit.SECONDS);
      answer.add(m);
    } while ("token".equals(m.getString("type")));
    assertEquals("done", m.getString("type"));
    assertTrue(m.getJsonArray("sources").isEmpty(), m::encode);
    assertFalse(String.join("", answer.stream().map(t -> String.valueOf(t.getString("text"))).toList()).contains("remembers"));
    ws.close();
  }

  @Test
  void aMessageOverTheLimitClosesTheSocketWith1009(Vertx vertx) throws Exception {
    WebSocket ws = vertx.createWebSocketClient().connect(socket("?token=" + learner)).await(10, TimeUnit.SECONDS);
    LinkedBlockingQueue<Short> closed = new LinkedBlockingQueue<>();
    ws.closeHandler(v -> closed.add(ws.closeStatusCode() == null ? -1 : ws.closeStatusCode()));
    ws.writeTextMessage(new JsonObject().put("type", "ask").put("id", "big").put("text", "x".repeat(20_000)).encode());
    assertEquals((short) 1009, closed.poll(10, TimeUnit.SECONDS));
  }

  @Test
  void loggingOutClosesTheSessionsSocketWithinASecond(Vertx vertx) throws Exception {
    String token = node.api().register("leaver-" + UUID.randomUUID() + "@azora.test", "tutor-passphrase", "Q", null)
        .getString("accessToken");
    WebSocket ws = vertx.createWebSocketClient().connect(socket("?token=" + token)).await(10, TimeUnit.SECONDS);
    LinkedBlockingQueue<Short> closed = new LinkedBlockingQueue<>();
    ws.closeHandler(v -> closed.add(ws.closeStatusCode() == null ? -1 : ws.closeStatusCode()));
    long loggedOut = System.currentTimeMillis();
    node.api().post("/api/auth/logout", token, null).expect(204);
    assertEquals((short) 1008, closed.poll(5, TimeUnit.SECONDS));
    assertTrue(System.currentTimeMillis() - loggedOut < 1000, "closed within a second of the logout");
  }
}
