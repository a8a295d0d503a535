package io.azora.auth;

import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.util.HashSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TOTP MFA end to end: setup, enable, login with a code or a recovery code, each usable once. */
@ExtendWith(VertxExtension.class)
class MfaTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.defaults();
  final HttpApi api = node.api();





  /** RFC 6238 Appendix B, SHA1 rows: the 8-digit values, and the 6-digit codes apps show are their tails. */
  @Test
  void rfc6238AppendixBVectors() {
    String secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";  // base32 of ASCII "12345678901234567890"
    long[][] vectors = {{59, 94287082}, {1111111109, 7081804}, {1111111111, 14050471},
        {1234567890, 89005924}, {2000000000, 69279037}, {20000000000L, 65353130}};
    for (long[] v : vectors) {
      String expected = String.format("%08d", v[1]);
      assertEquals(expected, Totp.codeAt(secret, Totp.stepAt(v[0]), 8), "T=" + v[0]);
      assertEquals(expected.substring(2), Totp.codeAt(secret, Totp.stepAt(v[0])), "6 digits, T=" + v[0]);
      assertEquals(Totp.stepAt(v[0]), Totp.matchingStep(secret, expected.substring(2), v[0], -1));
    }
    // ±1 step of drift, never two.
    assertEquals(Totp.stepAt(59) - 1, Totp.matchingStep(secret, Totp.codeAt(secret, Totp.stepAt(59) - 1), 59, -1));
    assertEquals(-1, Totp.matchingStep(secret, Totp.codeAt(secret, Totp.stepAt(59) - 2), 59, -1));
    // A step already used is refused.
    assertEquals(-1, Totp.matchingStep(secret, "287082", 59, Totp.stepAt(59)));
  }

  static long nowStep() {
    return Totp.stepAt(System.currentTimeMillis() / 1000);
  }

  @Test
  void fullMfaLifecycle() {
    String email = "mfa-" + UUID.randomUUID() + "@azora.test";
    String password = "violet-harbor-42";
    String token = api.register(email, password, "Mia", null).getString("accessToken");

    JsonObject setup = api.post("/api/auth/mfa/totp/setup", token, new JsonObject().put("password", password)).expect(200).json();
    String secret = setup.getString("secret");
    URI uri = URI.create(setup.getString("otpauthUri"));
    assertEquals("otpauth", uri.getScheme());
    assertEquals("totp", uri.getHost());
    String query = uri.getRawQuery();
    assertTrue(query.contains("secret=" + secret) && query.contains("algorithm=SHA1") && query.contains("digits=6")
        && query.contains("period=30") && query.contains("issuer=Azora"), query);

    api.post("/api/auth/mfa/totp/enable", token, new JsonObject().put("code", "000000")
        .put("extra", 1)).expectProblem(400, "validation_failed");
    long step = nowStep();
    JsonArray recovery = api.post("/api/auth/mfa/totp/enable", token,
        new JsonObject().put("code", Totp.codeAt(secret, step)).put("password", password)).expect(200).json().getJsonArray("recoveryCodes");
    assertEquals(10, recovery.size());
    assertEquals(10, new HashSet<>(recovery.getList()).size());
    assertTrue(api.get("/api/auth/profile", token).json().getBoolean("mfaEnabled"));

    // Password alone is no longer enough.
    JsonObject challenge = api.post("/api/auth/login", null, new JsonObject().put("email", email).put("password", password))
        .expectProblem(401, "mfa_required");
    String mfaToken = challenge.getString("mfaToken");
    api.post("/api/auth/mfa/verify", null, new JsonObject().put("mfaToken", mfaToken).put("code", "123456"))
        .expectProblem(401, "unauthorized");
    String nextCode = Totp.codeAt(secret, step + 1);
    JsonObject tokens = api.post("/api/auth/mfa/verify", null,
        new JsonObject().put("mfaToken", mfaToken).put("code", nextCode)).expect(200).json();
    api.get("/api/auth/profile", tokens.getString("accessToken")).expect(200);

    // The same code, and the spent challenge, never work twice.
    String mfaToken2 = api.post("/api/auth/login", null, new JsonObject().put("email", email).put("password", password))
        .expectProblem(401, "mfa_required").getString("mfaToken");
    api.post("/api/auth/mfa/verify", null, new JsonObject().put("mfaToken", mfaToken).put("code", recovery.getString(0)))
        .expectProblem(401, "unauthorized");
    api.post("/api/auth/mfa/verify", null, new JsonObject().put("mfaToken", mfaToken2).put("code", nextCode))
        .expectProblem(401, "unauthorized");

    // A recovery code works once.
    api.post("/api/auth/mfa/verify", null, new JsonObject().put("mfaToken", mfaToken2)
        .put("code", recovery.getString(0).toUpperCase())).expect(200);
    String mfaToken3 = api.post("/api/auth/login", null, new JsonObject().put("email", email).put("password", password))
        .expectProblem(401, "mfa_required").getString("mfaToken");
    api.post("/api/auth/mfa/verify", null, new JsonObject().put("mfaToken", mfaToken3).put("code", recovery.getString(0)))
        .expectProblem(401, "unauthorized");

    // Disabling needs proof of presence (here a recovery code); afterwards the password suffices again.
    api.post("/api/auth/mfa/totp/disable", token, new JsonObject().put("code", "999999")).expectProblem(401, "reauth_required");
    api.post("/api/auth/mfa/totp/disable", token, new JsonObject().put("code", recovery.getString(1))).expect(204);
    api.login(email, password);
  }

  @Test
  void aChallengeAllowsOnlyAFewWrongCodes() {
    String email = "mfa-" + UUID.randomUUID() + "@azora.test";
    String token = api.register(email, "violet-harbor-42", "Max", null).getString("accessToken");
    String secret = api.post("/api/auth/mfa/totp/setup", token, new JsonObject().put("password", "violet-harbor-42"))
        .json().getString("secret");
    long step = nowStep();
    api.post("/api/auth/mfa/totp/enable", token, new JsonObject().put("code", Totp.codeAt(secret, step))
        .put("password", "violet-harbor-42")).expect(200);
    String mfaToken = api.post("/api/auth/login", null, new JsonObject().put("email", email)
        .put("password", "violet-harbor-42")).expectProblem(401, "mfa_required").getString("mfaToken");
    for (int i = 0; i < 5; i++) {
      api.post("/api/auth/mfa/verify", null, new JsonObject().put("mfaToken", mfaToken).put("code", "000000"))
          .expectProblem(401, "unauthorized");
    }
    // Even the right code is refused now: the challenge is used up.
    api.post("/api/auth/mfa/verify", null, new JsonObject().put("mfaToken", mfaToken)
        .put("code", Totp.codeAt(secret, step + 1))).expectProblem(401, "unauthorized");
    // A fresh challenge does not buy fresh guesses: the account itself now has to wait.
    String again = api.post("/api/auth/login", null, new JsonObject().put("email", email)
        .put("password", "violet-harbor-42")).expectProblem(401, "mfa_required").getString("mfaToken");
    api.post("/api/auth/mfa/verify", null, new JsonObject().put("mfaToken", again).put("code", Totp.codeAt(secret, step + 1)))
        .expectProblem(429, "rate_limited");
  }
}
