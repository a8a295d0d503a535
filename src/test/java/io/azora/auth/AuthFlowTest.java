package io.azora.auth;

import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registration, login, profile, refresh rotation, logout and sessions, through the gateway over HTTP. */
@ExtendWith(VertxExtension.class)
class AuthFlowTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("auth", new JsonObject()
        .put("adminEmail", "root@azora.test").put("adminPassword", "admin-secret-passphrase")));
  final HttpApi api = node.api();

  static final String PASSWORD = "violet-harbor-42";




  static String email() {
    return "user-" + UUID.randomUUID() + "@azora.test";
  }

  @Test
  void registerReturnsUserAndTokens() {
    String email = email();
    JsonObject body = api.register(email, PASSWORD, "Ada Lovelace", "instructor");
    JsonObject user = body.getJsonObject("user");
    assertEquals(email, user.getString("email"));
    assertEquals("Ada Lovelace", user.getString("name"));
    assertEquals("instructor", user.getString("role"));
    assertEquals(new JsonArray().add("instructor"), user.getJsonArray("roles"));
    assertFalse(user.getBoolean("mfaEnabled"));
    assertNotNull(UUID.fromString(user.getString("id")));
    assertEquals(body.getString("token"), body.getString("accessToken"));
    assertEquals(900, body.getInteger("expiresIn"));
    assertTrue(body.getString("refreshToken").length() >= 43);
    assertFalse(user.containsKey("passwordHash") || user.containsKey("password_hash"));
  }

  @Test
  void emailIsCaseInsensitiveAndUnique() {
    String email = email();
    api.register(email, PASSWORD, "First", null);
    api.post("/api/auth/register", null, new JsonObject().put("email", email.toUpperCase()).put("password", PASSWORD)
        .put("name", "Second")).expectProblem(409, "conflict");
    assertEquals(email, api.login(email.toUpperCase(), PASSWORD).getJsonObject("user").getString("email"));
  }

  @Test
  void weakPasswordsAreRefused() {
    for (String weak : new String[] {"short1", "password123", "Qwerty123", "12345678"}) {
      JsonObject problem = api.post("/api/auth/register", null, new JsonObject().put("email", email())
          .put("password", weak).put("name", "Weak")).expectProblem(400, "validation_failed");
      assertEquals("password", problem.getJsonArray("errors").getJsonObject(0).getString("field"), weak);
    }
  }

  @Test
  void aLongPassphraseIsWelcomeAndAnEndlessOneIsNot() {
    // Only short or common passwords are refused; a long passphrase (here 300 characters) signs in.
    String passphrase = "correct horse battery staple ".repeat(10) + "and more words to be sure of it";
    String email = email();
    api.post("/api/auth/register", null, new JsonObject().put("email", email).put("password", passphrase)
        .put("name", "Long")).expect(201);
    api.post("/api/auth/login", null, new JsonObject().put("email", email).put("password", passphrase)).expect(200);
    // Bounded all the same (1,024 characters, as the API document says).
    api.post("/api/auth/register", null, new JsonObject().put("email", email()).put("password", "x".repeat(1025))
        .put("name", "Endless")).expectProblem(400, "validation_failed");
  }

  @Test
  void nobodyRegistersAsAdmin() {
    api.post("/api/auth/register", null, new JsonObject().put("email", email()).put("password", PASSWORD)
        .put("name", "Mallory").put("role", "admin")).expectProblem(400, "validation_failed");
  }

  @Test
  void wrongPasswordAndUnknownEmailGetTheSameAnswer() {
    String email = email();
    api.register(email, PASSWORD, "Bob", null);
    JsonObject wrongPassword = api.post("/api/auth/login", null,
        new JsonObject().put("email", email).put("password", "not-the-password")).expectProblem(401, "unauthorized");
    JsonObject unknownEmail = api.post("/api/auth/login", null,
        new JsonObject().put("email", email()).put("password", "not-the-password")).expectProblem(401, "unauthorized");
    assertEquals(wrongPassword.getString("detail"), unknownEmail.getString("detail"));
    assertEquals(wrongPassword.fieldNames(), unknownEmail.fieldNames());
  }

  @Test
  void profileShowsTheCaller() {
    String email = email();
    String token = api.register(email, PASSWORD, "Carol", "employer").getString("accessToken");
    JsonObject profile = api.get("/api/auth/profile", token).expect(200).json();
    assertEquals(email, profile.getString("email"));
    for (int i = 0; i < 5; i++) {
      api.get("/api/auth/profile", token).expect(200);  // a token works for every request of its life
    }
    assertEquals("employer", profile.getString("role"));
    assertNotNull(profile.getString("createdAt"));
    api.get("/api/auth/profile", null).expectProblem(401, "unauthorized");
    api.get("/api/auth/profile", "not.a.token").expectProblem(401, "unauthorized");
  }

  @Test
  void refreshRotatesAndReuseRevokesTheSession() {
    JsonObject first = api.register(email(), PASSWORD, "Dan", null);
    JsonObject second = api.post("/api/auth/refresh", null,
        new JsonObject().put("refreshToken", first.getString("refreshToken"))).expect(200).json();
    assertNotEquals(first.getString("refreshToken"), second.getString("refreshToken"));
    api.get("/api/auth/profile", second.getString("accessToken")).expect(200);

    // The spent token presented again: refused, and the whole session ends.
    api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", first.getString("refreshToken")))
        .expectProblem(401, "unauthorized");
    api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", second.getString("refreshToken")))
        .expectProblem(401, "unauthorized");
    api.get("/api/auth/profile", second.getString("accessToken")).expectProblem(401, "unauthorized");
    api.get("/api/auth/profile", first.getString("accessToken")).expectProblem(401, "unauthorized");
  }

  @Test
  void unknownRefreshTokenIsRefused() {
    api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", "nope")).expectProblem(401, "unauthorized");
  }

  @Test
  void logoutStopsAccessAndRefreshAtOnce() {
    JsonObject tokens = api.register(email(), PASSWORD, "Eve", null);
    String access = tokens.getString("accessToken");
    api.get("/api/auth/profile", access).expect(200);
    api.post("/api/auth/logout", access, null).expect(204);
    api.get("/api/auth/profile", access).expectProblem(401, "unauthorized");
    api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", tokens.getString("refreshToken")))
        .expectProblem(401, "unauthorized");
  }

  @Test
  void sessionsAreListedAndRevocable() {
    String email = email();
    JsonObject laptop = api.register(email, PASSWORD, "Fay", null);
    JsonObject phone = api.login(email, PASSWORD);
    JsonObject list = api.get("/api/auth/sessions", laptop.getString("accessToken")).expect(200).json();
    JsonArray items = list.getJsonArray("items");
    assertEquals(2, items.size());
    long current = items.stream().map(JsonObject.class::cast).filter(s -> s.getBoolean("current")).count();
    assertEquals(1, current);
    JsonObject other = items.stream().map(JsonObject.class::cast).filter(s -> !s.getBoolean("current")).findFirst().orElseThrow();
    assertEquals("127.0.0.1", other.getString("ip"));
    assertNotNull(other.getString("lastUsedAt"));

    api.delete("/api/auth/sessions/" + other.getString("id"), laptop.getString("accessToken")).expect(204);
    api.get("/api/auth/profile", phone.getString("accessToken")).expectProblem(401, "unauthorized");
    api.get("/api/auth/profile", laptop.getString("accessToken")).expect(200);
    assertEquals(1, api.get("/api/auth/sessions", laptop.getString("accessToken")).json().getJsonArray("items").size());

    // Someone else's session is not yours to see or revoke: its real id, in a stranger's hands, is unknown,
    // and the session keeps working.
    String laptopSession = api.get("/api/auth/sessions", laptop.getString("accessToken")).json().getJsonArray("items")
        .getJsonObject(0).getString("id");
    JsonObject stranger = api.register(email(), PASSWORD, "Gus", null);
    assertTrue(api.get("/api/auth/sessions", stranger.getString("accessToken")).json().getJsonArray("items").stream()
        .noneMatch(s -> laptopSession.equals(((JsonObject) s).getString("id"))));
    api.delete("/api/auth/sessions/" + laptopSession, stranger.getString("accessToken")).expectProblem(404, "not_found");
    api.get("/api/auth/profile", laptop.getString("accessToken")).expect(200);
    api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", laptop.getString("refreshToken"))).expect(200);
  }

  @Test
  void firstAdminComesFromConfigurationAndGrantsRoles() {
    JsonObject admin = api.login("root@azora.test", "admin-secret-passphrase");
    assertTrue(admin.getJsonObject("user").getJsonArray("roles").contains("admin"));
    JsonObject student = api.register(email(), PASSWORD, "Hal", null);
    String studentId = student.getJsonObject("user").getString("id");

    api.post("/api/admin/users/" + studentId + "/roles", student.getString("accessToken"),
        new JsonObject().put("roles", new JsonArray().add("admin"))).expectProblem(403, "forbidden");

    JsonObject updated = api.post("/api/admin/users/" + studentId + "/roles", admin.getString("accessToken"),
        new JsonObject().put("roles", new JsonArray().add("student").add("instructor"))).expect(200).json();
    assertEquals(new JsonArray().add("student").add("instructor"), updated.getJsonArray("roles"));
    assertEquals("instructor", updated.getString("role"));
    // New tokens carry the new roles.
    JsonObject relogin = api.login(student.getJsonObject("user").getString("email"), PASSWORD);
    assertTrue(relogin.getJsonObject("user").getJsonArray("roles").contains("instructor"));

    api.post("/api/admin/users/" + UUID.randomUUID() + "/roles", admin.getString("accessToken"),
        new JsonObject().put("roles", new JsonArray().add("student"))).expectProblem(404, "not_found");
    api.post("/api/admin/users/" + studentId + "/roles", admin.getString("accessToken"),
        new JsonObject().put("roles", new JsonArray().add("wizard"))).expectProblem(400, "validation_failed");
  }

  @Test
  void aStaleBearerHeaderDoesNotBlockLoginOrRefresh() {
    String email = email();
    JsonObject tokens = api.register(email, PASSWORD, "Ivy", null);
    String stale = tokens.getString("accessToken");
    api.post("/api/auth/logout", stale, null).expect(204);
    // Clients that always attach their last token can still sign in and refresh.
    JsonObject again = api.post("/api/auth/login", stale, new JsonObject().put("email", email).put("password", PASSWORD))
        .expect(200).json();
    api.post("/api/auth/refresh", "garbage.token.here", new JsonObject().put("refreshToken", again.getString("refreshToken")))
        .expect(200);
  }

  @Test
  void sessionsArePagedWithACursor() {
    String email = email();
    String token = api.register(email, PASSWORD, "Jo", null).getString("accessToken");
    api.login(email, PASSWORD);
    api.login(email, PASSWORD);
    JsonObject page1 = api.get("/api/auth/sessions?limit=2", token).expect(200).json();
    assertEquals(2, page1.getJsonArray("items").size());
    String cursor = page1.getString("nextCursor");
    assertNotNull(cursor);
    JsonObject page2 = api.get("/api/auth/sessions?limit=2&cursor=" + cursor, token).expect(200).json();
    assertEquals(1, page2.getJsonArray("items").size());
    assertEquals(null, page2.getValue("nextCursor"));
    java.util.Set<String> ids = new java.util.HashSet<>();
    page1.getJsonArray("items").forEach(o -> ids.add(((JsonObject) o).getString("id")));
    page2.getJsonArray("items").forEach(o -> ids.add(((JsonObject) o).getString("id")));
    assertEquals(3, ids.size(), "no session twice, none skipped");
    api.get("/api/auth/sessions?limit=0", token).expectProblem(400, "validation_failed");
    api.get("/api/auth/sessions?limit=many", token).expectProblem(400, "validation_failed");
    api.get("/api/auth/sessions?cursor=not-a-cursor", token).expectProblem(400, "validation_failed");
  }

  @Test
  void revokingTwiceIsHarmless() {
    String email = email();
    JsonObject a = api.register(email, PASSWORD, "Kim", null);
    JsonObject b = api.login(email, PASSWORD);
    String sid = api.get("/api/auth/sessions", a.getString("accessToken")).json().getJsonArray("items").stream()
        .map(JsonObject.class::cast).filter(x -> !x.getBoolean("current")).findFirst().orElseThrow().getString("id");
    api.delete("/api/auth/sessions/" + sid, a.getString("accessToken")).expect(204);
    api.delete("/api/auth/sessions/" + sid, a.getString("accessToken")).expect(204);
    api.get("/api/auth/profile", b.getString("accessToken")).expectProblem(401, "unauthorized");
  }
}
