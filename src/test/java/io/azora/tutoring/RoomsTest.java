package io.azora.tutoring;

import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.azora.support.SocketClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A course's live room through the gateway, over real WebSockets: only its learners and instructor get in,
 * chat and presence reach every participant, joiners get the recent history, bad messages are answered,
 * and a participant who stops reading is dropped without holding up the others.
 */
@ExtendWith(VertxExtension.class)
class RoomsTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject()
      .put("tutor", new JsonObject().put("roomMessagesPerMinute", 100_000)));

  static String course;
  static JsonObject teacher;
  static JsonObject learner;
  static JsonObject classmate;
  static JsonObject stranger;

  static JsonObject user(HttpApi api, String name, String role) {
    JsonObject t = api.register(name.toLowerCase() + "-" + UUID.randomUUID() + "@azora.test", "room-passphrase", name, role);
    return new JsonObject().put("id", t.getJsonObject("user").getString("id")).put("token", t.getString("accessToken"));
  }

  @BeforeAll
  static void aPublishedCourseWithTwoLearners() {
    HttpApi api = node.api();
    teacher = user(api, "Tess", "instructor");
    learner = user(api, "Lea", null);
    classmate = user(api, "Cal", null);
    stranger = user(api, "Stan", null);
    course = Courses.course(api, teacher.getString("token"), "beginner", "0");
    Courses.lesson(api, teacher.getString("token"), course);
    api.post("/api/courses/" + course + "/publish", teacher.getString("token"), null).expect(200);
    api.post("/api/courses/" + course + "/enroll", learner.getString("token"), null).expect(201);
    api.post("/api/courses/" + course + "/enroll", classmate.getString("token"), null).expect(201);
  }

  static SocketClient join(Vertx vertx, JsonObject who) throws Exception {
    return SocketClient.connectWhenAdmitted(vertx, node.node().port, "/api/rooms/" + course + "/ws", who.getString("token"));
  }

  static Set<String> ids(JsonObject presence) {
    return presence.getJsonArray("users").stream().map(u -> ((JsonObject) u).getString("id")).collect(Collectors.toSet());
  }

  @Test
  void chatAndPresenceReachEveryoneAndJoinersGetTheHistory(Vertx vertx) throws Exception {
    SocketClient tess = join(vertx, teacher);
    tess.next("history", 5);
    SocketClient lea = join(vertx, learner);
    lea.next("history", 5);
    tess.next(m -> "presence".equals(m.getString("type")) && ids(m).contains(learner.getString("id")), 10, "Lea present");

    String text = "Hello room " + UUID.randomUUID();
    lea.send(new JsonObject().put("type", "chat").put("text", "  " + text + " "));
    for (SocketClient s : new SocketClient[] {tess, lea}) {
      JsonObject chat = s.next(m -> "chat".equals(m.getString("type")) && text.equals(m.getString("text")), 5, "the chat");
      assertEquals(learner.getString("id"), chat.getString("from"));
      assertEquals("Lea", chat.getString("name"));
      assertTrue(chat.getString("at").endsWith("Z"), chat::encode);
    }

    // A later joiner sees it in the history, oldest first, and everyone sees the joiner.
    SocketClient cal = join(vertx, classmate);
    JsonArray history = cal.next("history", 5).getJsonArray("messages");
    JsonObject last = history.getJsonObject(history.size() - 1);
    assertEquals(text, last.getString("text"));
    assertEquals("Lea", last.getString("name"));
    JsonObject all = lea.next(m -> "presence".equals(m.getString("type")) && ids(m).size() == 3, 10, "three present");
    assertEquals(Set.of(teacher.getString("id"), learner.getString("id"), classmate.getString("id")), ids(all));

    // Leaving is seen too.
    cal.close();
    JsonObject after = tess.next(m -> "presence".equals(m.getString("type")) && ids(m).size() == 2, 10, "Cal gone");
    assertEquals(Set.of(teacher.getString("id"), learner.getString("id")), ids(after));
    tess.close();
    lea.close();
  }

  @Test
  void theHistoryIsTheLastFifty(Vertx vertx) throws Exception {
    SocketClient lea = join(vertx, learner);
    lea.next("history", 5);
    String run = UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 55; i++) {
      lea.send(new JsonObject().put("type", "chat").put("text", run + " #" + i));
      if (i % 16 == 15) {  // at most 32 of a sender's messages may be on their way
        String sent = run + " #" + i;
        lea.next(m -> sent.equals(m.getString("text")), 10, "message " + i);
      }
    }
    lea.next(m -> (run + " #54").equals(m.getString("text")), 10, "the 55th message");
    SocketClient tess = join(vertx, teacher);
    JsonArray history = tess.next("history", 5).getJsonArray("messages");
    assertEquals(50, history.size());
    assertEquals(run + " #54", history.getJsonObject(49).getString("text"));
    assertEquals(run + " #5", history.getJsonObject(0).getString("text"));
    lea.close();
    tess.close();
  }

  @Test
  void onlyTheCoursesPeopleGetInBeforeTheUpgrade(Vertx vertx) throws Exception {
    int port = node.node().port;
    join(vertx, learner).close();  // the course is known to tutoring by now
    assertEquals(403, SocketClient.refusal(vertx, port, "/api/rooms/" + course + "/ws", stranger.getString("token")));
    assertEquals(404, SocketClient.refusal(vertx, port, "/api/rooms/" + UUID.randomUUID() + "/ws", learner.getString("token")));
    assertEquals(400, SocketClient.refusal(vertx, port, "/api/rooms/not-an-id/ws", learner.getString("token")));
    assertEquals(401, SocketClient.refusal(vertx, port, "/api/rooms/" + course + "/ws", null));
    assertEquals(401, SocketClient.refusal(vertx, port, "/api/rooms/" + course + "/ws", "not-a-token"));
  }

  @Test
  void badMessagesAreAnsweredAndAnOversizedOneCloses(Vertx vertx) throws Exception {
    SocketClient lea = join(vertx, learner);
    lea.next("history", 5);
    lea.ws.writeTextMessage("{not json");
    assertEquals("malformed", lea.next("error", 5).getString("code"));
    lea.send(new JsonObject().put("type", "shout").put("id", "m1"));
    JsonObject wrongType = lea.next("error", 5);
    assertEquals("validation_failed", wrongType.getString("code"));
    assertEquals("m1", wrongType.getString("id"));
    lea.send(new JsonObject().put("type", "chat").put("id", "m2").put("text", "   "));
    JsonObject empty = lea.next("error", 5);
    assertEquals(400, empty.getInteger("status"));
    assertEquals("validation_failed", empty.getString("code"));
    lea.send(new JsonObject().put("type", "chat").put("text", "x".repeat(2001)));
    assertEquals("validation_failed", lea.next("error", 5).getString("code"));
    lea.send(new JsonObject().put("type", "chat").put("text", "y".repeat(20_000)));
    assertEquals((short) 1009, lea.awaitClose(5));
  }

  @Test
  void aParticipantWhoStopsReadingIsDroppedAndTheRoomGoesOn(Vertx vertx) throws Exception {
    // The sleeper's receive buffer is small, so what it does not read piles up in the server's write queue.
    SocketClient sleepy = SocketClient.connect(vertx, new WebSocketClientOptions().setReceiveBufferSize(8192),
        node.node().port, "/api/rooms/" + course + "/ws", classmate.getString("token"));
    sleepy.next("history", 5);
    SocketClient tess = join(vertx, teacher);
    tess.next("history", 5);
    SocketClient lea = join(vertx, learner);
    lea.next("history", 5);
    sleepy.ws.pause();  // reads nothing more
    String run = UUID.randomUUID().toString().substring(0, 8);
    String filler = "z".repeat(1980);
    // ~6 MB: more than the server's socket send buffer (loopback tunes it up to 4 MiB) and the 256 KiB queue
    int messages = 3000;
    for (int i = 0; i < messages; i++) {
      lea.send(new JsonObject().put("type", "chat").put("text", run + i + filler));
      if (i % 16 == 15) {  // a sender may have 32 messages on their way: wait for this batch to come back
        String sent = run + i + filler;
        lea.next(m -> sent.equals(m.getString("text")), 10, "message " + i);
      }
    }
    // The teacher, reading, gets every message in order; the sleeper was dropped meanwhile.
    for (int i = 0; i < messages; i++) {
      String expected = run + i + filler;
      assertEquals(expected, tess.next(m -> "chat".equals(m.getString("type")), 10, "message " + i).getString("text"));
    }
    sleepy.ws.resume();
    // Closed with 1013, or cut off (1006) if its close frame could not get through the backlog in time.
    short code = sleepy.awaitClose(20);
    assertTrue(code == 1013 || code == 1006, "closed as too slow: " + code + " " + sleepy.closeReason);
    assertTrue(sleepy.count(m -> m.getString("text", "").startsWith(run)) < messages, "the sleeper missed messages");
    assertNull(lea.closedWith);
    lea.close();
    tess.close();
  }
}
