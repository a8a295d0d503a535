package io.azora.tutoring;

import io.azora.support.Courses;
import io.azora.support.HttpApi;
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

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user's notifications: pushed over GET /api/events/ws as they happen (a grant, a transfer received, an
 * enrolment), kept for GET /api/notifications with an unread count and cursor paging, marked read one by
 * one, and private to their user.
 */
@ExtendWith(VertxExtension.class)
class NotificationsTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(Courses.withAdmin(new JsonObject()
      .put("finance", new JsonObject().put("initialSupply", "1000000000"))));

  static String admin;

  @BeforeAll
  static void signInAdmin() {
    admin = Courses.admin(node.api());
  }

  static JsonObject user(HttpApi api, String role) {
    JsonObject t = api.register("n-" + UUID.randomUUID() + "@azora.test", "notify-passphrase", "Nia", role);
    return new JsonObject().put("id", t.getJsonObject("user").getString("id")).put("token", t.getString("accessToken"));
  }

  static SocketClient events(Vertx vertx, JsonObject who) throws Exception {
    return SocketClient.connect(vertx, node.node().port, "/api/events/ws", who.getString("token"));
  }

  static void grant(String userId, String amount) {
    node.api().post("/api/admin/wallets/" + userId + "/grants", admin,
        new JsonObject().put("amount", amount).put("reason", "welcome")).expect(201);
  }

  @Test
  void aGrantIsPushedKeptAndMarkedRead(Vertx vertx) throws Exception {
    HttpApi api = node.api();
    JsonObject nia = user(api, null);
    SocketClient socket = events(vertx, nia);
    grant(nia.getString("id"), "12.5");

    JsonObject pushed = socket.next("notification", 10);
    assertEquals("wallet.credited", pushed.getString("kind"));
    assertEquals("12.5", pushed.getJsonObject("data").getString("amount"));
    assertEquals("welcome", pushed.getJsonObject("data").getString("reason"));
    assertNotNull(pushed.getString("createdAt"));

    JsonObject list = api.get("/api/notifications", nia.getString("token")).expect(200).json();
    assertEquals(1, list.getInteger("unread"));
    JsonObject kept = list.getJsonArray("items").getJsonObject(0);
    assertEquals(pushed.getString("id"), kept.getString("id"));
    assertEquals(pushed.getJsonObject("data"), kept.getJsonObject("data"));
    assertNull(kept.getString("readAt"));
    assertNull(list.getString("nextCursor"));

    // Only its user may mark it read; marking twice is fine.
    JsonObject other = user(api, null);
    api.post("/api/notifications/" + kept.getString("id") + "/read", other.getString("token"), null)
        .expectProblem(404, "not_found");
    api.post("/api/notifications/" + kept.getString("id") + "/read", nia.getString("token"), null).expect(204);
    api.post("/api/notifications/" + kept.getString("id") + "/read", nia.getString("token"), null).expect(204);
    api.post("/api/notifications/not-an-id/read", nia.getString("token"), null).expectProblem(404, "not_found");
    JsonObject after = api.get("/api/notifications", nia.getString("token")).expect(200).json();
    assertEquals(0, after.getInteger("unread"));
    assertNotNull(after.getJsonArray("items").getJsonObject(0).getString("readAt"));
    assertEquals(0, api.get("/api/notifications?unread=true", nia.getString("token")).expect(200).json()
        .getJsonArray("items").size());
    assertEquals(0, api.get("/api/notifications", other.getString("token")).expect(200).json()
        .getJsonArray("items").size(), "nobody else sees it");
    api.get("/api/notifications", null).expectProblem(401, "unauthorized");
    api.get("/api/notifications?limit=1e2", nia.getString("token")).expectProblem(400, "validation_failed");
    socket.close();
  }

  @Test
  void aTransferIsToldToItsRecipientAndPagesFollowTheCursor(Vertx vertx) throws Exception {
    HttpApi api = node.api();
    JsonObject payer = user(api, null);
    JsonObject payee = user(api, null);
    grant(payer.getString("id"), "100");
    SocketClient payeeSocket = events(vertx, payee);
    for (String amount : new String[] {"1", "2", "3"}) {
      api.post("/api/wallet/transfers", payer.getString("token"), new JsonObject().put("toUserId", payee.getString("id"))
          .put("amount", amount)).expect(201);
      JsonObject pushed = payeeSocket.next("notification", 10);
      assertEquals(amount, pushed.getJsonObject("data").getString("amount"));
      assertEquals(payer.getString("id"), pushed.getJsonObject("data").getString("fromUserId"));
    }
    JsonObject first = api.get("/api/notifications?limit=2", payee.getString("token")).expect(200).json();
    assertEquals(3, first.getInteger("unread"));
    JsonArray page1 = first.getJsonArray("items");
    assertEquals("3", page1.getJsonObject(0).getJsonObject("data").getString("amount"), "newest first");
    assertEquals("2", page1.getJsonObject(1).getJsonObject("data").getString("amount"));
    JsonObject second = api.get("/api/notifications?limit=2&cursor=" + first.getString("nextCursor"),
        payee.getString("token")).expect(200).json();
    assertEquals(1, second.getJsonArray("items").size());
    assertEquals("1", second.getJsonArray("items").getJsonObject(0).getJsonObject("data").getString("amount"));
    assertNull(second.getString("nextCursor"));
    api.get("/api/notifications?cursor=%25%25", payee.getString("token")).expectProblem(400, "validation_failed");

    // The payer was debited: nothing to tell them but the grant.
    JsonObject payerList = api.get("/api/notifications", payer.getString("token")).expect(200).json();
    assertEquals(1, payerList.getJsonArray("items").size());
    payeeSocket.close();
  }

  @Test
  void anEnrolmentIsToldToTheLearner(Vertx vertx) throws Exception {
    HttpApi api = node.api();
    JsonObject teacher = user(api, "instructor");
    JsonObject learner = user(api, null);
    String course = Courses.course(api, teacher.getString("token"), "beginner", "0");
    Courses.lesson(api, teacher.getString("token"), course);
    api.post("/api/courses/" + course + "/publish", teacher.getString("token"), null).expect(200);
    SocketClient socket = events(vertx, learner);
    api.post("/api/courses/" + course + "/enroll", learner.getString("token"), null).expect(201);
    JsonObject pushed = socket.next("notification", 10);
    assertEquals("course.enrolled", pushed.getString("kind"));
    assertEquals(course, pushed.getJsonObject("data").getString("courseId"));
    socket.close();
  }

  @Test
  void loggingOutClosesTheSocketAtOnceAndItOnlyListens(Vertx vertx) throws Exception {
    HttpApi api = node.api();
    JsonObject nia = user(api, null);
    SocketClient socket = events(vertx, nia);
    socket.send(new JsonObject().put("type", "ask").put("id", "x"));
    assertEquals("validation_failed", socket.next("error", 5).getString("code"));
    long started = System.currentTimeMillis();
    api.post("/api/auth/logout", nia.getString("token"), null).expect(204);
    assertEquals((short) 1008, socket.awaitClose(5));
    assertTrue(System.currentTimeMillis() - started < 1500, "closed within a second of the logout");
    assertEquals(401, SocketClient.refusal(vertx, node.node().port, "/api/events/ws", nia.getString("token")));
  }
}
