package io.azora.auth;

import io.azora.support.HttpApi;
import io.azora.support.TestInfra;
import io.azora.support.NodeExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Access tokens are ES256 with a kid, published in the JWKS, rotatable; forged, foreign, mis-addressed
 * and expired tokens are all refused at the gateway.
 */
@ExtendWith(VertxExtension.class)
class TokenSecurityTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("auth", new JsonObject()
        .put("adminEmail", "keys@azora.test").put("adminPassword", "admin-secret-passphrase")));

  HttpApi api;
  Vertx vertx;
  String userId;
  String sessionToken;



  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    api = node.api();
    JsonObject tokens = api.register("t-" + UUID.randomUUID() + "@azora.test", "violet-harbor-42", "Tess", null);
    userId = tokens.getJsonObject("user").getString("id");
    sessionToken = tokens.getString("accessToken");
  }

  /** The platform's active private key, read from auth's own database. */
  JsonObject platformPrivateJwk() throws Exception {
    try (var c = DriverManager.getConnection(TestInfra.jdbcUrl(node.node().prefix + "auth"), "postgres", "");
         var rs = c.createStatement().executeQuery(
             "SELECT private_jwk::text FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1")) {
      rs.next();
      return new JsonObject(rs.getString(1));
    }
  }

  JsonObject claims(String sid) {
    return new JsonObject().put("roles", List.of("student")).put("sid", sid).put("jti", UUID.randomUUID().toString());
  }

  String sign(JsonObject jwk, JWTOptions options) {
    return JWTAuth.create(vertx, new JWTAuthOptions().addJwk(jwk)).generateToken(claims(UUID.randomUUID().toString()),
        options.setAlgorithm("ES256").setSubject(userId));
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static JsonObject header(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8));
  }

  @Test
  void issuedTokensAreEs256WithAPublishedKid() {
    JsonObject header = header(sessionToken);
    assertEquals("ES256", header.getString("alg"));
    JsonObject jwks = api.get("/.well-known/jwks.json", null).expect(200).json();
    assertTrue(jwks.getJsonArray("keys").stream().map(JsonObject.class::cast)
        .anyMatch(k -> k.getString("kid").equals(header.getString("kid")) && "EC".equals(k.getString("kty"))
            && !k.containsKey("d")));
  }

  @Test
  void aTokenSignedWithThePlatformKeyIsAccepted() throws Exception {
    // The control for the cases below: same key, right claims → accepted.
    String token = sign(platformPrivateJwk(), new JWTOptions().setIssuer("https://azora.local")
        .setAudience(List.of("azora-api")).setExpiresInSeconds(60));
    api.get("/api/auth/profile", token).expect(200);
  }

  @Test
  void wrongAudienceIssuerOrExpiryIsRefused() throws Exception {
    JsonObject key = platformPrivateJwk();
    String wrongAud = sign(key, new JWTOptions().setIssuer("https://azora.local").setAudience(List.of("other-api"))
        .setExpiresInSeconds(60));
    String wrongIss = sign(key, new JWTOptions().setIssuer("https://evil.example").setAudience(List.of("azora-api"))
        .setExpiresInSeconds(60));
    String expired = JWTAuth.create(vertx, new JWTAuthOptions().addJwk(key)).generateToken(
        claims(UUID.randomUUID().toString()).put("exp", System.currentTimeMillis() / 1000 - 120)
            .put("iat", System.currentTimeMillis() / 1000 - 1000),
        new JWTOptions().setAlgorithm("ES256").setSubject(userId).setIssuer("https://azora.local")
            .setAudience(List.of("azora-api")).setNoTimestamp(true));
    for (String token : List.of(wrongAud, wrongIss, expired)) {
      api.get("/api/auth/profile", token).expectProblem(401, "unauthorized");
    }
  }

  @Test
  void foreignKeyWithTheSameKidIsRefused() throws Exception {
    JsonObject foreign = SigningKeys.generate()[0].put("kid", platformPrivateJwk().getString("kid"));
    String token = sign(foreign, new JWTOptions().setIssuer("https://azora.local").setAudience(List.of("azora-api"))
        .setExpiresInSeconds(60));
    api.get("/api/auth/profile", token).expectProblem(401, "unauthorized");
  }

  @Test
  void unsignedAndSymmetricTokensAreRefused() throws Exception {
    JsonObject key = platformPrivateJwk();
    String kid = key.getString("kid");
    long now = System.currentTimeMillis() / 1000;
    String payload = b64(claims(UUID.randomUUID().toString()).put("sub", userId).put("iss", "https://azora.local")
        .put("aud", "azora-api").put("iat", now).put("exp", now + 600).encode());
    String none = b64(new JsonObject().put("alg", "none").put("kid", kid).encode()) + "." + payload + ".";
    api.get("/api/auth/profile", none).expectProblem(401, "unauthorized");

    // HS256 keyed with the public key (the classic algorithm-confusion attack).
    JsonObject publicJwk = key.copy();
    publicJwk.remove("d");
    String hs256 = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
            .setAlgorithm("HS256").setBuffer(publicJwk.encode()).setId(kid)))
        .generateToken(claims(UUID.randomUUID().toString()), new JWTOptions().setAlgorithm("HS256").setSubject(userId)
            .setIssuer("https://azora.local").setAudience(List.of("azora-api")).setExpiresInSeconds(600));
    assertEquals("HS256", header(hs256).getString("alg"));
    api.get("/api/auth/profile", hs256).expectProblem(401, "unauthorized");
  }

  @Test
  void rotationKeepsOldTokensValidAndPublishesBothKeys() {
    JsonObject admin = api.login("keys@azora.test", "admin-secret-passphrase");
    String oldKid = header(sessionToken).getString("kid");
    api.post("/api/admin/signing-keys/rotate", sessionToken, null).expectProblem(403, "forbidden");
    String newKid = api.post("/api/admin/signing-keys/rotate", admin.getString("accessToken"), null)
        .expect(200).json().getString("kid");
    assertNotEquals(oldKid, newKid);

    // Every auth instance signs with the new key within moments.
    JsonObject fresh = api.login(admin.getJsonObject("user").getString("email"), "admin-secret-passphrase");
    long deadline = System.currentTimeMillis() + 5000;
    while (!newKid.equals(header(fresh.getString("accessToken")).getString("kid")) && System.currentTimeMillis() < deadline) {
      fresh = api.login(admin.getJsonObject("user").getString("email"), "admin-secret-passphrase");
    }
    assertEquals(newKid, header(fresh.getString("accessToken")).getString("kid"));
    for (int i = 0; i < 4; i++) {
      String kid = header(api.login(admin.getJsonObject("user").getString("email"), "admin-secret-passphrase")
          .getString("accessToken")).getString("kid");
      assertEquals(newKid, kid, "no instance signs with the retired key any more");
    }
    api.get("/api/auth/profile", fresh.getString("accessToken")).expect(200);
    api.get("/api/auth/profile", sessionToken).expect(200);

    List<String> kids = api.get("/.well-known/jwks.json", null).json().getJsonArray("keys").stream()
        .map(k -> ((JsonObject) k).getString("kid")).toList();
    assertTrue(kids.contains(oldKid) && kids.contains(newKid), kids::toString);
  }

  /** A key's private JWK, read from auth's own database. */
  JsonObject privateJwk(String kid) throws Exception {
    try (var c = DriverManager.getConnection(TestInfra.jdbcUrl(node.node().prefix + "auth"), "postgres", "");
         var st = c.prepareStatement("SELECT private_jwk::text FROM signing_keys WHERE kid = ?")) {
      st.setString(1, kid);
      var rs = st.executeQuery();
      rs.next();
      return new JsonObject(rs.getString(1));
    }
  }

  @Test
  void aKeyKeptOnlyForOldCredentialsNeverVerifiesAnAccessToken() throws Exception {
    String admin = api.login("keys@azora.test", "admin-secret-passphrase").getString("accessToken");
    String oldKid = header(sessionToken).getString("kid");
    String recentKid = api.post("/api/admin/signing-keys/rotate", admin, null).expect(200).json().getString("kid");
    // The first key signed credentials and was retired a day ago: it stays published so they can be checked...
    try (var c = DriverManager.getConnection(TestInfra.jdbcUrl(node.node().prefix + "auth"), "postgres", "");
         var st = c.prepareStatement("UPDATE signing_keys SET signed_credentials = true, retired_at = now() - interval '1 day' "
             + "WHERE kid = ?")) {
      st.setString(1, oldKid);
      st.executeUpdate();
    }
    // The next rotation retires the second key now (its tokens may still be alive).
    api.post("/api/admin/signing-keys/rotate", admin, null).expect(200);
    List<String> published = api.get("/.well-known/jwks.json", null).json().getJsonArray("keys").stream()
        .map(k -> ((JsonObject) k).getString("kid")).toList();
    assertTrue(published.contains(oldKid), published::toString);

    // ...but an access token signed with it (by whoever holds it) is refused, while one signed with the key
    // retired a moment ago is fine.
    JWTOptions fresh = new JWTOptions().setIssuer("https://azora.local").setAudience(List.of("azora-api")).setExpiresInSeconds(600);
    String fromOld = sign(privateJwk(oldKid), new JWTOptions(fresh));
    String fromRecent = sign(privateJwk(recentKid).copy(), new JWTOptions(fresh));
    api.get("/api/auth/profile", fromRecent).expect(200);
    api.get("/api/auth/profile", fromOld).expectProblem(401, "unauthorized");
  }
}
