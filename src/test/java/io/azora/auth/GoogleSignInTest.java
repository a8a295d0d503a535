package io.azora.auth;

import io.azora.support.HttpApi;
import io.azora.support.HttpApi.Response;
import io.azora.support.TestInfra;
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
    node = TestNode.start(prefix, TestNode.config(prefix, port, new JsonObject().put("google", new JsonObject()
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

  /** Follows the browser's path: gateway → provider → back to the gateway's callback. */
  Response signIn(Vertx vertx) throws Exception {
    Response start = api.get("/api/auth/oauth/google", null).expect(302);
    String authorizeUrl = start.header("Location");
    Map<String, String> params = query(authorizeUrl);
    assertEquals("S256", params.get("code_challenge_method"));
    assertEquals(CLIENT_ID, params.get("client_id"));
    assertTrue(params.get("scope").contains("openid"));
    assertTrue(params.get("state").length() >= 32 && params.get("nonce").length() >= 32);
    var consent = io.vertx.ext.web.client.WebClient.create(vertx, new io.vertx.ext.web.client.WebClientOptions()
            .setFollowRedirects(false))
        .getAbs(authorizeUrl).send().await(10, TimeUnit.SECONDS);
    URI callback = URI.create(consent.getHeader("Location"));
    return api.get(callback.getRawPath() + "?" + callback.getRawQuery(), null);
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
  void verifiedEmailLinksTheExistingAccount(Vertx vertx) throws Exception {
    String email = "link-" + UUID.randomUUID() + "@azora.test";
    String id = api.register(email, "violet-harbor-42", "Linda", null).getJsonObject("user").getString("id");
    identity = googleUser(email);
    assertEquals(id, signIn(vertx).expect(200).json().getJsonObject("user").getString("id"));
    // An unverified email does not take over an account.
    String other = "nolink-" + UUID.randomUUID() + "@azora.test";
    api.register(other, "violet-harbor-42", "Olga", null);
    identity = googleUser(other).put("email_verified", false);
    signIn(vertx).expectProblem(403, "forbidden");
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
  void stateIsSingleUseAndMustBeOurs(Vertx vertx) throws Exception {
    identity = googleUser("state-" + UUID.randomUUID() + "@gmail.test");
    api.get("/api/auth/oauth/google/callback?code=abc&state=" + UUID.randomUUID(), null).expectProblem(401, "unauthorized");
    api.get("/api/auth/oauth/google/callback?code=abc", null).expectProblem(400, "validation_failed");

    String authorizeUrl = api.get("/api/auth/oauth/google", null).header("Location");
    var consent = io.vertx.ext.web.client.WebClient.create(vertx, new io.vertx.ext.web.client.WebClientOptions()
        .setFollowRedirects(false)).getAbs(authorizeUrl).send().await(10, TimeUnit.SECONDS);
    URI callback = URI.create(consent.getHeader("Location"));
    String path = callback.getRawPath() + "?" + callback.getRawQuery();
    JsonObject tokens = api.get(path, null).expect(200).json();
    assertNotEquals(null, tokens.getString("accessToken"));
    api.get(path, null).expectProblem(401, "unauthorized");
  }

  @Test
  void googleDoesNotSkipTheSecondFactor(Vertx vertx) throws Exception {
    String email = "mfa-g-" + UUID.randomUUID() + "@azora.test";
    String token = api.register(email, "violet-harbor-42", "Mo", null).getString("accessToken");
    String secret = api.post("/api/auth/mfa/totp/setup", token, null).json().getString("secret");
    api.post("/api/auth/mfa/totp/enable", token, new JsonObject().put("code",
        Totp.codeAt(secret, Totp.stepAt(System.currentTimeMillis() / 1000)))).expect(200);
    identity = googleUser(email);
    JsonObject problem = signIn(vertx).expectProblem(401, "mfa_required");
    assertTrue(problem.getString("mfaToken").length() >= 32);
  }
}
