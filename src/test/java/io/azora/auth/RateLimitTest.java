package io.azora.auth;

import io.azora.support.HttpApi;
import io.azora.support.HttpApi.Response;
import io.azora.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rate limits shared in Redis (per IP, per user) and the per-account login back-off. */
@ExtendWith(VertxExtension.class)
class RateLimitTest {

  TestNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  HttpApi start(Vertx vertx, JsonObject rateLimit, JsonObject auth) {
    return start(vertx, rateLimit, auth, "127.0.0.1");
  }

  HttpApi start(Vertx vertx, JsonObject rateLimit, JsonObject auth, String trustedProxies) {
    node = TestNode.start(new JsonObject().put("rateLimit", rateLimit).put("auth", auth)
        .put("http", new JsonObject().put("trustedProxies", trustedProxies)));
    return new HttpApi(vertx, node.port);
  }

  static JsonObject login(String email, String password) {
    return new JsonObject().put("email", email).put("password", password);
  }

  @Test
  void loginsPerIpAreLimited(Vertx vertx) {
    HttpApi api = start(vertx, new JsonObject().put("loginPerIp", 5).put("anonymous", 1000).put("windowSeconds", 60),
        new JsonObject().put("loginFailuresBeforeThrottle", 100));
    for (int i = 0; i < 5; i++) {
      Response r = api.post("/api/auth/login", null, login("x" + i + "@azora.test", "whatever-password"));
      r.expectProblem(401, "unauthorized");
      assertEquals("5", r.header("RateLimit-Limit"));
      assertEquals(String.valueOf(4 - i), r.header("RateLimit-Remaining"));
    }
    Response limited = api.post("/api/auth/login", null, login("y@azora.test", "whatever-password"));
    limited.expectProblem(429, "rate_limited");
    assertEquals("0", limited.header("RateLimit-Remaining"));
    int retryAfter = Integer.parseInt(limited.header("Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= 60, limited.header("Retry-After"));
    // Other anonymous endpoints have their own budget.
    api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", "x")).expectProblem(401, "unauthorized");
  }

  @Test
  void anonymousAndAuthenticatedBudgetsAreSeparate(Vertx vertx) {
    HttpApi api = start(vertx, new JsonObject().put("anonymous", 3).put("authenticated", 4).put("loginPerIp", 100)
        .put("windowSeconds", 60), new JsonObject());
    // Registration counts against the anonymous budget (3).
    String access = api.register("rl-" + UUID.randomUUID() + "@azora.test", "violet-harbor-42", "R", null)
        .getString("accessToken");
    api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", "x")).expectProblem(401, "unauthorized");
    api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", "x")).expectProblem(401, "unauthorized");
    api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", "x")).expectProblem(429, "rate_limited");
    // The user has a budget of their own.
    for (int i = 0; i < 4; i++) {
      assertEquals(String.valueOf(3 - i), api.get("/api/auth/profile", access).expect(200).header("RateLimit-Remaining"));
    }
    api.get("/api/auth/profile", access).expectProblem(429, "rate_limited");
  }

  @Test
  void repeatedFailuresSlowAnAccountDownButNeverLockItForGood(Vertx vertx) throws Exception {
    HttpApi api = start(vertx, new JsonObject().put("loginPerIp", 1000),
        new JsonObject().put("loginFailuresBeforeThrottle", 3).put("loginThrottleBaseSeconds", 1)
            .put("loginThrottleMaxSeconds", 4));
    String email = "bf-" + UUID.randomUUID() + "@azora.test";
    String password = "violet-harbor-42";
    api.register(email, password, "Brute", null);
    for (int i = 0; i < 3; i++) {
      api.post("/api/auth/login", null, login(email, "wrong-" + i)).expectProblem(401, "unauthorized");
    }
    // Throttled: even the right password waits.
    Response blocked = api.post("/api/auth/login", null, login(email, password));
    blocked.expectProblem(429, "rate_limited");
    assertEquals("1", blocked.header("Retry-After"));

    Thread.sleep(1100);
    api.post("/api/auth/login", null, login(email, "wrong-again")).expectProblem(401, "unauthorized");
    Response longer = api.post("/api/auth/login", null, login(email, password));
    longer.expectProblem(429, "rate_limited");
    assertEquals("2", longer.header("Retry-After"), "the wait doubles");

    // Other accounts are not affected.
    String other = "ok-" + UUID.randomUUID() + "@azora.test";
    api.register(other, password, "Ok", null);
    api.login(other, password);

    Thread.sleep(2100);
    api.login(email, password);
    // A success clears the count.
    api.post("/api/auth/login", null, login(email, "wrong-once-more")).expectProblem(401, "unauthorized");
    api.login(email, password);
  }

  @Test
  void parallelGuessesAreCountedToo(Vertx vertx) {
    HttpApi api = start(vertx, new JsonObject().put("loginPerIp", 1000),
        new JsonObject().put("loginFailuresBeforeThrottle", 3).put("loginThrottleBaseSeconds", 30)
            .put("loginThrottleMaxSeconds", 60));
    String email = "par-" + UUID.randomUUID() + "@azora.test";
    api.register(email, "violet-harbor-42", "Par", null);
    java.util.List<Integer> answers = atOnce(vertx, api, 12, i -> login(email, "guess-" + i));
    // Twelve at once (one connection each): exactly the three free attempts were checked, the rest waited.
    assertEquals(3, answers.stream().filter(status -> status == 401).count(), answers::toString);
    assertEquals(9, answers.stream().filter(status -> status == 429).count(), answers::toString);
  }

  @Test
  void aStrangersGuessesNeverLockTheOwnersDeviceOut(Vertx vertx) {
    // Behind an ingress whose pods are a range: the CIDR is trusted, clients are the forwarded addresses.
    HttpApi api = start(vertx, new JsonObject().put("loginPerIp", 1000),
        new JsonObject().put("loginFailuresBeforeThrottle", 3).put("loginThrottleBaseSeconds", 30)
            .put("loginThrottleMaxSeconds", 60), "127.0.0.0/8");
    String email = "owner-" + UUID.randomUUID() + "@azora.test";
    String password = "violet-harbor-42";
    Response registered = api.send(io.vertx.core.http.HttpMethod.POST, "/api/auth/register", null,
        new JsonObject().put("email", email).put("password", password).put("name", "Owner").toBuffer(),
        java.util.Map.of("X-Forwarded-For", "198.51.100.7")).expect(201);
    String device = registered.headers().getAll("Set-Cookie").stream().filter(c -> c.startsWith("azora_device="))
        .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElseThrow();
    assertTrue(registered.headers().getAll("Set-Cookie").stream().anyMatch(c -> c.startsWith("azora_device=")
        && c.toLowerCase().contains("httponly") && c.contains("SameSite=Strict")));
    assertTrue(registered.json().getString("deviceToken") == null, "the device token is a cookie, not in the body");

    // Someone else keeps guessing the owner's password from elsewhere: they are throttled...
    for (int i = 0; i < 3; i++) {
      from(api, "203.0.113.50", null, login(email, "guess-" + i)).expectProblem(401, "unauthorized");
    }
    from(api, "203.0.113.50", null, login(email, password)).expectProblem(429, "rate_limited");
    // ...the owner's device, which signed in before, is not, wherever it is now...
    from(api, "192.0.2.99", device, login(email, password)).expect(200);
    // ...and neither is the owner on a new device elsewhere; the stranger still waits.
    from(api, "198.51.100.8", null, login(email, password)).expect(200);
    from(api, "203.0.113.50", null, login(email, password)).expectProblem(429, "rate_limited");
  }

  @Test
  void guessesSpreadOverManyAddressesAreStillBoundedPerAccount(Vertx vertx) {
    HttpApi api = start(vertx, new JsonObject().put("loginPerIp", 1000),
        new JsonObject().put("loginFailuresBeforeThrottle", 2).put("loginThrottleBaseSeconds", 30)
            .put("loginThrottleMaxSeconds", 60), "127.0.0.0/8");
    String email = "spread-" + UUID.randomUUID() + "@azora.test";
    api.register(email, "violet-harbor-42", "Spread", null);
    // One guess from each of 40 addresses: each address is fresh, but the account's shared count of guesses
    // from unknown clients (ten times each address's) stops them after twenty.
    java.util.List<Integer> answers = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      answers.add(from(api, "198.18.0." + (i + 1), null, login(email, "guess-" + i)).status());
    }
    assertEquals(20, answers.stream().filter(s -> s == 401).count(), answers::toString);
    assertEquals(20, answers.stream().filter(s -> s == 429).count(), answers::toString);
  }

  static Response from(HttpApi api, String client, String cookie, JsonObject body) {
    java.util.Map<String, String> headers = new java.util.HashMap<>(java.util.Map.of("X-Forwarded-For", client));
    if (cookie != null) {
      headers.put("Cookie", cookie);
    }
    return api.send(io.vertx.core.http.HttpMethod.POST, "/api/auth/login", null, body.toBuffer(), headers);
  }

  @Test
  void parallelLoginsBelowTheThresholdAreNeverThrottled(Vertx vertx) {
    HttpApi api = start(vertx, new JsonObject().put("loginPerIp", 1000),
        new JsonObject().put("loginFailuresBeforeThrottle", 100));
    String email = "many-" + UUID.randomUUID() + "@azora.test";
    api.register(email, "violet-harbor-42", "Many", null);
    assertEquals(java.util.Collections.nCopies(16, 200), atOnce(vertx, api, 16, i -> login(email, "violet-harbor-42")));
  }

  @Test
  void forwardedForCountsOnlyBehindATrustedProxy(Vertx vertx) {
    HttpApi api = start(vertx, new JsonObject().put("loginPerIp", 2).put("windowSeconds", 60),
        new JsonObject().put("loginFailuresBeforeThrottle", 100));
    // The test client is 127.0.0.1, configured as the trusted proxy: each forwarded client has its own budget.
    for (String client : new String[] {"203.0.113.7", "203.0.113.8"}) {
      for (int i = 0; i < 2; i++) {
        forwarded(api, client).expectProblem(401, "unauthorized");
      }
      forwarded(api, client).expectProblem(429, "rate_limited");
    }
    // What the session records is the forwarded client, not the proxy.
    String email = "xff-" + UUID.randomUUID() + "@azora.test";
    String token = api.send(io.vertx.core.http.HttpMethod.POST, "/api/auth/register", null,
        new JsonObject().put("email", email).put("password", "violet-harbor-42").put("name", "X").toBuffer(),
        java.util.Map.of("X-Forwarded-For", "198.51.100.23")).expect(201).json().getString("accessToken");
    assertEquals("198.51.100.23", api.get("/api/auth/sessions", token).json().getJsonArray("items")
        .getJsonObject(0).getString("ip"));
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsIgnored(Vertx vertx) {
    // Only the ingress range is trusted; this client (127.0.0.1) is not in it.
    HttpApi api = start(vertx, new JsonObject().put("loginPerIp", 2).put("windowSeconds", 60),
        new JsonObject().put("loginFailuresBeforeThrottle", 100), "10.0.0.0/8");
    forwarded(api, "203.0.113.7").expectProblem(401, "unauthorized");
    forwarded(api, "203.0.113.8").expectProblem(401, "unauthorized");
    // A made-up forwarded address buys no fresh budget: both counted against the real peer.
    forwarded(api, "203.0.113.9").expectProblem(429, "rate_limited");
    String token = api.send(io.vertx.core.http.HttpMethod.POST, "/api/auth/register", null,
        new JsonObject().put("email", "spoof-" + UUID.randomUUID() + "@azora.test").put("password", "violet-harbor-42")
            .put("name", "S").toBuffer(), java.util.Map.of("X-Forwarded-For", "198.51.100.23")).expect(201)
        .json().getString("accessToken");
    assertEquals("127.0.0.1", api.get("/api/auth/sessions", token).json().getJsonArray("items").getJsonObject(0).getString("ip"));
  }

  /** Sends {@code n} logins at once and returns their statuses. */
  static java.util.List<Integer> atOnce(Vertx vertx, HttpApi api, int n, java.util.function.IntFunction<JsonObject> body) {
    // One connection per request (the default pool of 5 would send them five at a time).
    io.vertx.ext.web.client.WebClient client = io.vertx.ext.web.client.WebClient.create(vertx,
        new io.vertx.ext.web.client.WebClientOptions(), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(n));
    java.util.List<io.vertx.core.Future<Integer>> sent = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      sent.add(client.post(api.port(), "127.0.0.1", "/api/auth/login").sendJsonObject(body.apply(i)).map(r -> r.statusCode()));
    }
    io.vertx.core.Future.join(sent).await();
    return sent.stream().map(io.vertx.core.Future::result).toList();
  }

  static Response forwarded(HttpApi api, String client) {
    return api.send(io.vertx.core.http.HttpMethod.POST, "/api/auth/login", null,
        login("nobody@azora.test", "whatever-password").toBuffer(), java.util.Map.of("X-Forwarded-For", "10.9.9.9, " + client));
  }
}
