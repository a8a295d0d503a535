package io.azora.auth;

import io.azora.support.HttpApi;
import io.azora.support.TestInfra;
import io.azora.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.security.SecureRandom;
import java.sql.DriverManager;
import java.util.Base64;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a restart with new configuration must not do: make admin whoever registered the admin's email
 * first, or lose the TOTP secrets when their encryption key rotates. One database, several node starts.
 */
@ExtendWith(VertxExtension.class)
class AuthRestartTest {

  static final String PASSWORD = "violet-harbor-42";

  static String key() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }

  static TestNode start(String prefix, JsonObject auth) {
    return TestNode.start(prefix, TestNode.config(prefix, TestInfra.freePort(), new JsonObject().put("auth", auth)), false);
  }

  static String storedKeyId(String prefix, String email) throws Exception {
    try (var c = DriverManager.getConnection(TestInfra.jdbcUrl(prefix + "auth"), "postgres", "");
         var st = c.prepareStatement("SELECT mfa_key_id FROM users WHERE email = ?")) {
      st.setString(1, email);
      var rs = st.executeQuery();
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void theAdminEmailPromotesOnlyItsRealOwnerAndTotpKeysRotate(Vertx vertx) throws Exception {
    String prefix = TestNode.newPrefix();
    String squatted = "boss-" + UUID.randomUUID() + "@azora.test";
    String owned = "ops-" + UUID.randomUUID() + "@azora.test";
    String k1 = key();
    String k2 = key();
    String secret;
    String totpUser = "totp-" + UUID.randomUUID() + "@azora.test";
    try {
      // First start: someone registers the future admin address; the operator registers their own; a user
      // turns TOTP on under key k1.
      try (TestNode first = start(prefix, new JsonObject().put("totpKeys", "k1:" + k1))) {
        HttpApi api = new HttpApi(vertx, first.port);
        api.register(squatted, "squatters-passphrase", "Mallory", null);
        api.register(owned, "the-operators-passphrase", "Olga", null);
        String token = api.register(totpUser, PASSWORD, "Tom", null).getString("accessToken");
        secret = api.post("/api/auth/mfa/totp/setup", token, new JsonObject().put("password", PASSWORD)).expect(200)
            .json().getString("secret");
        api.post("/api/auth/mfa/totp/enable", token, new JsonObject().put("password", PASSWORD)
            .put("code", Totp.codeAt(secret, Totp.stepAt(System.currentTimeMillis() / 1000)))).expect(200);
      }
      assertEquals("k1", storedKeyId(prefix, totpUser));

      // Restarted with the squatted address as admin email: the squatter is not made admin. The TOTP key
      // rotates to k2 (k1 still listed to decrypt): the secret is re-encrypted and still works.
      try (TestNode second = start(prefix, new JsonObject().put("adminEmail", squatted).put("adminPassword", "the-real-admin-passphrase")
          .put("totpKeys", "k2:" + k2 + ",k1:" + k1))) {
        HttpApi api = new HttpApi(vertx, second.port);
        JsonObject squatter = api.login(squatted, "squatters-passphrase");
        assertFalse(squatter.getJsonObject("user").getJsonArray("roles").contains("admin"));
        api.get("/api/ledger/verify", squatter.getString("accessToken")).expectProblem(403, "forbidden");
        api.post("/api/auth/login", null, new JsonObject().put("email", squatted).put("password", "the-real-admin-passphrase"))
            .expectProblem(401, "unauthorized");

        // Re-encrypted in the background, moments after the start.
        long deadline = System.currentTimeMillis() + 15_000;
        while (!"k2".equals(storedKeyId(prefix, totpUser)) && System.currentTimeMillis() < deadline) {
          Thread.sleep(100);
        }
        assertEquals("k2", storedKeyId(prefix, totpUser));
        String mfaToken = api.post("/api/auth/login", null, new JsonObject().put("email", totpUser).put("password", PASSWORD))
            .expectProblem(401, "mfa_required").getString("mfaToken");
        api.post("/api/auth/mfa/verify", null, new JsonObject().put("mfaToken", mfaToken)
            .put("code", Totp.codeAt(secret, Totp.stepAt(System.currentTimeMillis() / 1000) + 1))).expect(200);
      }

      // An address whose account proves the admin password (the operator's own) is promoted.
      try (TestNode third = start(prefix, new JsonObject().put("adminEmail", owned).put("adminPassword", "the-operators-passphrase")
          .put("totpKeys", "k2:" + k2))) {
        HttpApi api = new HttpApi(vertx, third.port);
        JsonArray roles = api.login(owned, "the-operators-passphrase").getJsonObject("user").getJsonArray("roles");
        assertTrue(roles.contains("admin"), roles::encode);
      }
    } finally {
      TestInfra.dropDatabases(prefix);
    }
  }
}
