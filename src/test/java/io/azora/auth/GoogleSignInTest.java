package io.azora.auth;

import io.azora.support.HttpApi;
import io.azora.support.HttpApi.Response;
import io.azora.support.TestInfra;
import io.azora.support.TestMail;
import io.azora.support.TestNode;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Google sign-in end to end against a small OpenID provider this test runs itself: authorization-code
 * flow with PKCE S256, state and nonce bound to the flow, ID token checked against the provider's JWKS.
 */
@ExtendWith(VertxExtension.class)
class GoogleSignInTest {

  static final String CLIENT_ID = "azora-test-client.apps.googleusercontent.com";
  static final String CLIENT_SECRET = "test-client-secret";
  static Vertx providerVertx;
  static HttpServer provider;
  static String issuer;
  static TestNode node;
  static final JsonObject providerKey = SigningKeys.generate()[0];
  static final Map<String, JsonObject> grants = new ConcurrentHashMap<>();
  /** Code exchanges the provider was asked for: a refusal that happens before any is about the state. */
  static final java.util.concurrent.atomic.AtomicInteger tokenRequests = new java.util.concurrent.atomic.AtomicInteger();
  /** How the provider misbehaves for the next token request: ok, wrong-nonce, wrong-aud, foreign-key, expired. */
  static volatile String mode = "ok";
  static volatile JsonObject identity;

  HttpApi api;

  @BeforeAll
  static void start() throws Exception {
    providerVertx = Vertx.vertx();
    int providerPort = TestInfra.freePort();
    issuer = "http://127.0.0.1:" + providerPort;
    Router router = Router.router(providerVertx);
    router.route().handler(BodyHandler.create());
    router.get("/authorize").handler(ctx -> {
      // The user "consents"; the provider remembers what the code was issued for.
      MultiMap q = ctx.queryParams();
      String code = UUID.randomUUID().toString();
      grants.put(code, new JsonObject().put("nonce", q.get("nonce")).put("challenge", q.get("code_challenge"))
          .put("method", q.get("code_challenge_method")).put("clientId", q.get("client_id"))
          .put("redirectUri", q.get("redirect_uri")).put("scope", q.get("scope")));
      ctx.redirect(q.get("redirect_uri") + "?code=" + code + "&state=" + q.get("state"));
    });
    router.post("/token").handler(ctx -> {
      tokenRequests.incrementAndGet();
      MultiMap form = ctx.request().formAttributes();
      JsonObject grant = grants.remove(form.get("code"));
      boolean ok = grant != null && CLIENT_SECRET.equals(form.get("client_secret"))
          && CLIENT_ID.equals(form.get("client_id")) && grant.getString("redirectUri").equals(form.get("redirect_uri"))
          && "S256".equals(grant.getString("method"))
          && grant.getString("challenge").equals(s256(form.get("code_verifier")));
      if (!ok) {
        ctx.response().setStatusCode(400).end(new JsonObject().put("error", "invalid_grant").encode());
        return;
      }
      ctx.json(new JsonObject().put("access_token", "at").put("token_type", "Bearer")
          .put("id_token", idToken(grant.getString("nonce"))));
    });
    router.get("/jwks").handler(ctx -> {
      JsonObject pub = providerKey.copy();
      pub.remove("d");
      ctx.json(new JsonObject().put("keys", List.of(pub)));
    });
    provider = providerVertx.createHttpServer().requestHandler(router).listen(providerPort, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);

    String prefix = TestNode.newPrefix();
    int port = TestInfra.freePort();
    node = TestNode.start(prefix, TestNode.config(prefix, port, new JsonObject().put("mail", TestMail.config()).put("google", new JsonObject()
        .put("clientId", CLIENT_ID).put("clientSecret", CLIENT_SECRET)
        .put("authorizationEndpoint", issuer + "/authorize").put("tokenEndpoint", issuer + "/token")
        .put("jwksUri", issuer + "/jwks").put("issuer", issuer)
        .put("redirectUri", "http://127.0.0.1:" + port + "/api/auth/oauth/google/callback"))), true);
  }

  @AfterAll
  static void stop() {
    node.close();
    providerVertx.close();
  }

  @BeforeEach
  void client(Vertx vertx) {
    api = new HttpApi(vertx, node.port);
    mode = "ok";
  }

  static String s256(String verifier) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String idToken(String nonce) {
    JsonObject key = "foreign-key".equals(mode) ? SigningKeys.generate()[0].put("kid", providerKey.getString("kid")) : providerKey;
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = identity.copy()
        .put("nonce", "wrong-nonce".equals(mode) ? "not-the-nonce" : nonce)
        .put("iss", issuer)
        .put("aud", "wrong-aud".equals(mode) ? "someone-else" : CLIENT_ID)
        .put("iat", now - 10)
        .put("exp", "expired".equals(mode) ? now - 600 : now + 600);
    return JWTAuth.create(providerVertx, new JWTAuthOptions().addJwk(key))
        .generateToken(claims, new JWTOptions().setAlgorithm("ES256").setNoTimestamp(true));
  }

  static Map<String, String> query(String url) {
    Map<String, String> out = new HashMap<>();
    for (String pair : URI.create(url).getRawQuery().split("&")) {
      String[] kv = pair.split("=", 2);
      out.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return out;
  }

  /** A browser's start of a flow: where Google is, and the cookie the gateway set to bind the flow. */
  record Start(String authorizeUrl, String cookie) {
  }

  Start startFlow() {
    Response start = api.get("/api/auth/oauth/google", null).expect(302);
    assertEquals("no-store", start.header("Cache-Control"));
    String cookie = start.headers().getAll("Set-Cookie").stream().filter(c -> c.startsWith("azora_oauth="))
        .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElseThrow();
    String setCookie = start.headers().getAll("Set-Cookie").stream().filter(c -> c.startsWith("azora_oauth=")).findFirst().orElseThrow();
    assertTrue(setCookie.toLowerCase().contains("httponly") && setCookie.contains("SameSite=Lax"), setCookie);
    return new Start(start.header("Location"), cookie);
  }

  /** The provider's consent: the callback path (with code and state) it sends the browser back to. */
  static String consent(Vertx vertx, String authorizeUrl) throws Exception {
    var consent = io.vertx.ext.web.client.WebClient.create(vertx, new io.vertx.ext.web.client.WebClientOptions()
            .setFollowRedirects(false))
        .getAbs(authorizeUrl).send().await(10, TimeUnit.SECONDS);
    URI callback = URI.create(consent.getHeader("Location"));
    return callback.getRawPath() + "?" + callback.getRawQuery();
  }

  Response callback(String path, String cookie) {
    return api.send(io.vertx.core.http.HttpMethod.GET, path, null, null, cookie == null ? Map.of() : Map.of("Cookie", cookie));
  }

  /** Follows the browser's path: gateway → provider → back to the gateway's callback, with the flow's cookie. */
  Response signIn(Vertx vertx) throws Exception {
    Start start = startFlow();
    Map<String, String> params = query(start.authorizeUrl());
    assertEquals("S256", params.get("code_challenge_method"));
    assertEquals(CLIENT_ID, params.get("client_id"));
    assertTrue(params.get("scope").contains("openid"));
    assertTrue(params.get("state").length() >= 32 && params.get("nonce").length() >= 32);
    Response answer = callback(consent(vertx, start.authorizeUrl()), start.cookie());
    if (answer.status() == 200) {
      assertEquals("no-store", answer.header("Cache-Control"), "tokens are never cached");
    }
    return answer;
  }

  static JsonObject googleUser(String email) {
    return new JsonObject().put("sub", "google-" + UUID.randomUUID()).put("email", email).put("email_verified", true)
        .put("name", "Grace Hopper");
  }

  @Test
  void newGoogleUserSignsInAndComesBackAsTheSameUser(Vertx vertx) throws Exception {
    String email = "g-" + UUID.randomUUID() + "@gmail.test";
    identity = googleUser(email);
    JsonObject first = signIn(vertx).expect(200).json();
    assertEquals(email, first.getJsonObject("user").getString("email"));
    api.get("/api/auth/profile", first.getString("accessToken")).expect(200);
    JsonObject again = signIn(vertx).expect(200).json();
    assertEquals(first.getJsonObject("user").getString("id"), again.getJsonObject("user").getString("id"));
  }

  @Test
  void aVerifiedAccountIsLinkedByItsVerifiedEmail(Vertx vertx) throws Exception {
    String email = "link-" + UUID.randomUUID() + "@azora.test";
    String id = api.register(email, "violet-harbor-42", "Linda", null).getJsonObject("user").getString("id");
    api.post("/api/auth/email/verify", null, new JsonObject().put("token",
        TestMail.token(TestMail.await(email, "Confirm your email")))).expect(204);
    identity = googleUser(email);
    assertEquals(id, signIn(vertx).expect(200).json().getJsonObject("user").getString("id"));
    // A Google account whose email Google has not verified takes over nothing: 409 account_exists when
    // the address has an account, and no account is made for it when it has none.
    String other = "nolink-" + UUID.randomUUID() + "@azora.test";
    api.register(other, "violet-harbor-42", "Olga", null);
    identity = googleUser(other).put("email_verified", false);
    signIn(vertx).expectProblem(409, "account_exists");
    identity = googleUser("nobody-" + UUID.randomUUID() + "@azora.test").put("email_verified", false);
    signIn(vertx).expectProblem(403, "forbidden");
  }

  @Test
  void anUnverifiedAccountIsNeverLinkedSoPreHijackingFails(Vertx vertx) throws Exception {
    // The attacker registers the victim's Gmail address first (they cannot verify it) and signs in.
    String victim = "victim-" + UUID.randomUUID() + "@gmail.test";
    JsonObject attacker = api.register(victim, "attacker-passphrase-1", "Mallory", null);
    String attackerId = attacker.getJsonObject("user").getString("id");
    assertEquals(Boolean.FALSE, api.get("/api/auth/profile", attacker.getString("accessToken")).expect(200).json()
        .getBoolean("emailVerified"));

    // The victim signs in with Google: refused, nothing linked, no session for anyone.
    identity = googleUser(victim);
    signIn(vertx).expectProblem(409, "account_exists");
    // The victim takes the address back by mail: the reset verifies it and ends the attacker's sessions.
    api.post("/api/auth/password/forgot", null, new JsonObject().put("email", victim)).expect(202);
    String reset = TestMail.token(TestMail.await(victim, "Reset your Azora password"));
    api.post("/api/auth/password/reset", null, new JsonObject().put("token", reset).put("password", "victims-own-passphrase"))
        .expect(204);
    api.get("/api/auth/profile", attacker.getString("accessToken")).expectProblem(401, "unauthorized");
    api.post("/api/auth/login", null, new JsonObject().put("email", victim).put("password", "attacker-passphrase-1"))
        .expectProblem(401, "unauthorized");
    // Now Google links to the (verified) account, which the victim alone controls.
    JsonObject linked = signIn(vertx).expect(200).json();
    assertEquals(attackerId, linked.getJsonObject("user").getString("id"));
    assertTrue(linked.getJsonObject("user").getBoolean("emailVerified"));
  }

  @Test
  void badIdTokensAreRefused(Vertx vertx) throws Exception {
    for (String bad : List.of("wrong-nonce", "wrong-aud", "foreign-key", "expired")) {
      identity = googleUser("bad-" + UUID.randomUUID() + "@gmail.test");
      mode = bad;
      signIn(vertx).expectProblem(401, "unauthorized");
    }
  }

  @Test
  void stateIsSingleUseAndBelongsToTheBrowserThatStartedIt(Vertx vertx) throws Exception {
    identity = googleUser("state-" + UUID.randomUUID() + "@gmail.test");
    int exchanges = tokenRequests.get();
    // A state this server never issued: refused before Google is asked anything.
    callback("/api/auth/oauth/google/callback?code=abc&state=" + UUID.randomUUID(), startFlow().cookie())
        .expectProblem(401, "unauthorized");
    api.get("/api/auth/oauth/google/callback?code=abc", null).expectProblem(400, "validation_failed");
    assertEquals(exchanges, tokenRequests.get(), "no code exchange for a state that is not ours");

    // A real flow's code and state in someone else's browser (no cookie, or that browser's own): refused,
    // and the code is not even exchanged.
    Start victim = startFlow();
    String path = consent(vertx, victim.authorizeUrl());
    callback(path, null).expectProblem(401, "unauthorized");
    callback(path, startFlow().cookie()).expectProblem(401, "unauthorized");
    assertEquals(exchanges, tokenRequests.get(), "the refusals were about the state's browser");

    // The browser that started it signs in, once.
    JsonObject tokens = callback(path, victim.cookie()).expect(200).json();
    assertNotEquals(null, tokens.getString("accessToken"));
    assertEquals(exchanges + 1, tokenRequests.get());
    callback(path, victim.cookie()).expectProblem(401, "unauthorized");
    assertEquals(exchanges + 1, tokenRequests.get(), "a replayed state is refused before any exchange");
  }

  @Test
  void googleDoesNotSkipTheSecondFactor(Vertx vertx) throws Exception {
    String email = "mfa-g-" + UUID.randomUUID() + "@azora.test";
    String token = api.register(email, "violet-harbor-42", "Mo", null).getString("accessToken");
    api.post("/api/auth/email/verify", null, new JsonObject().put("token",
        TestMail.token(TestMail.await(email, "Confirm your email")))).expect(204);
    String secret = api.post("/api/auth/mfa/totp/setup", token, new JsonObject().put("password", "violet-harbor-42"))
        .json().getString("secret");
    api.post("/api/auth/mfa/totp/enable", token, new JsonObject().put("code",
        Totp.codeAt(secret, Totp.stepAt(System.currentTimeMillis() / 1000))).put("password", "violet-harbor-42")).expect(200);
    identity = googleUser(email);
    JsonObject problem = signIn(vertx).expectProblem(401, "mfa_required");
    assertTrue(problem.getString("mfaToken").length() >= 32);
  }
}
