package io.azora.tutoring;

import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.azora.support.SocketClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A socket lives no longer than its access token, unless the client renews it with the session's next one. */
@ExtendWith(VertxExtension.class)
class SocketTokenExpiryTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(Courses.withAdmin(new JsonObject()
      .put("auth", new JsonObject().put("accessTokenTtlSeconds", 6))));

  @Test
  void anExpiredTokenClosesItsSocketAndARenewedOneKeepsItOpen(Vertx vertx) throws Exception {
    HttpApi api = node.api();
    JsonObject tokens = api.register("exp-" + UUID.randomUUID() + "@azora.test", "expiry-passphrase", "E", null);
    String access = tokens.getString("accessToken");
    SocketClient left = SocketClient.connect(vertx, node.node().port, "/api/events/ws", access);
    SocketClient renewed = SocketClient.connect(vertx, node.node().port, "/api/events/ws", access);

    // A token of another session is refused; the session's refreshed one is taken.
    String stranger = api.register("exp-" + UUID.randomUUID() + "@azora.test", "expiry-passphrase", "S", null)
        .getString("accessToken");
    renewed.send(new JsonObject().put("type", "auth").put("id", "a1").put("token", stranger));
    assertEquals(401, renewed.next("error", 5).getInteger("status"));
    Thread.sleep(3000);  // so the next token expires (whole seconds) well after the first
    String next = api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", tokens.getString("refreshToken")))
        .expect(200).json().getString("accessToken");
    renewed.send(new JsonObject().put("type", "auth").put("id", "a2").put("token", next));
    assertEquals("a2", renewed.next("auth", 5).getString("id"));

    assertEquals((short) 1008, left.awaitClose(10));
    assertEquals("Access token expired", left.closeReason);
    Thread.sleep(300);
    assertNull(renewed.closedWith, "renewed: still open after the first token expired");
    assertEquals((short) 1008, renewed.awaitClose(10));
  }

  @Test
  void aRenewalWithOtherRolesClosesTheSocket(Vertx vertx) throws Exception {
    // What a socket sends on is signed with the roles it opened with: a token with other roles needs a new one.
    HttpApi api = node.api();
    JsonObject tokens = api.register("roles-" + UUID.randomUUID() + "@azora.test", "roles-passphrase", "R", null);
    SocketClient socket = SocketClient.connect(vertx, node.node().port, "/api/events/ws", tokens.getString("accessToken"));
    api.post("/api/admin/users/" + tokens.getJsonObject("user").getString("id") + "/roles", Courses.admin(api),
        new JsonObject().put("roles", new JsonArray().add("student").add("instructor"))).expect(200);
    String next = api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", tokens.getString("refreshToken")))
        .expect(200).json().getString("accessToken");
    socket.send(new JsonObject().put("type", "auth").put("id", "r1").put("token", next));
    assertEquals((short) 1008, socket.awaitClose(5));
    assertEquals("Roles changed: connect again", socket.closeReason);
  }
}
