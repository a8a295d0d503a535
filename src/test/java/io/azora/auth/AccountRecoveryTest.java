package io.azora.auth;

import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.azora.support.TestMail;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Email verification, password reset and change, and proof of presence, as a user lives them: the mails
 * are read from a real SMTP server in this JVM, and what they carry works once and only for a while.
 */
class AccountRecoveryTest {

  static final String PASSWORD = "violet-harbor-42";

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("mail", TestMail.config()));

  static String email() {
    return "mail-" + UUID.randomUUID() + "@azora.test";
  }

  static <T> T inAuthDb(java.util.function.Function<Pool, io.vertx.core.Future<T>> query) throws Exception {
    Vertx vertx = node.node().vertx();
    Pool db = node.node().database(vertx, "auth");
    try {
      return query.apply(db).await(10, TimeUnit.SECONDS);
    } finally {
      db.close();
    }
  }

  @Test
  void registrationMailsALinkThatVerifiesTheEmailOnce(HttpApi api) throws Exception {
    String email = email();
    JsonObject tokens = api.register(email, PASSWORD, "Vera", null);
    String access = tokens.getString("accessToken");
    assertEquals("no-store", api.post("/api/auth/login", null, new JsonObject().put("email", email).put("password", PASSWORD))
        .expect(200).header("Cache-Control"), "answers with tokens are never cached");
    assertFalse(api.get("/api/auth/profile", access).expect(200).json().getBoolean("emailVerified"));

    String token = TestMail.token(TestMail.await(email, "Confirm your email"));
    // Kept only as its SHA-256: the token itself is nowhere in the database.
    Row stored = inAuthDb(db -> db.preparedQuery("SELECT count(*) FILTER (WHERE token_hash = sha256(convert_to($1, 'UTF8'))) AS hashed, "
        + "count(*) FILTER (WHERE token_hash = convert_to($1, 'UTF8')) AS plain FROM email_tokens").execute(Tuple.of(token))
        .map(r -> r.iterator().next()));
    assertEquals(1, stored.getLong("hashed"));
    assertEquals(0, stored.getLong("plain"));

    api.post("/api/auth/email/verify", null, new JsonObject().put("token", token)).expect(204);
    assertTrue(api.get("/api/auth/profile", access).expect(200).json().getBoolean("emailVerified"));
    api.post("/api/auth/email/verify", null, new JsonObject().put("token", token)).expectProblem(400, "invalid_token");
    api.post("/api/auth/email/verify", null, new JsonObject().put("token", "made-up")).expectProblem(400, "invalid_token");
  }

  @Test
  void aVerificationMailCanBeSentAgainButNotFloodAnInbox(HttpApi api) throws Exception {
    String email = email();
    String access = api.register(email, PASSWORD, "Rita", null).getString("accessToken");
    TestMail.await(email, "Confirm your email");
    api.post("/api/auth/email/verify/resend", access, null).expect(202);
    api.post("/api/auth/email/verify/resend", access, null).expect(202);
    Thread.sleep(500);
    assertEquals(1, TestMail.count(email, "Confirm your email"), "at most one a minute");
    // An expired link is refused; the first one still works while it lives.
    String token = TestMail.token(TestMail.await(email, "Confirm your email"));
    inAuthDb(db -> db.query("UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'verify' "
        + "AND email = '" + email + "'").execute());
    api.post("/api/auth/email/verify", null, new JsonObject().put("token", token)).expectProblem(400, "invalid_token");
  }

  @Test
  void aPasswordResetWorksOnceAndEndsEverySession(HttpApi api) throws Exception {
    String email = email();
    JsonObject first = api.register(email, PASSWORD, "Paul", null);
    JsonObject second = api.login(email, PASSWORD);

    // The same answer for an unknown address, and no mail anywhere.
    String nobody = email();
    api.post("/api/auth/password/forgot", null, new JsonObject().put("email", nobody)).expect(202);
    api.post("/api/auth/password/forgot", null, new JsonObject().put("email", email)).expect(202);
    String token = TestMail.token(TestMail.await(email, "Reset your Azora password"));
    assertEquals(0, TestMail.count(nobody, "Reset"));

    api.post("/api/auth/password/reset", null, new JsonObject().put("token", token).put("password", "password"))
        .expectProblem(400, "validation_failed");  // a weak password does not spend the link
    api.post("/api/auth/password/reset", null, new JsonObject().put("token", token).put("password", "a-brand-new-passphrase"))
        .expect(204);
    api.post("/api/auth/password/reset", null, new JsonObject().put("token", token).put("password", "another-passphrase"))
        .expectProblem(400, "invalid_token");

    // Every session ended: access tokens at once, refresh tokens too; only the new password signs in.
    api.get("/api/auth/profile", first.getString("accessToken")).expectProblem(401, "unauthorized");
    api.get("/api/auth/profile", second.getString("accessToken")).expectProblem(401, "unauthorized");
    api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", second.getString("refreshToken")))
        .expectProblem(401, "unauthorized");
    api.post("/api/auth/login", null, new JsonObject().put("email", email).put("password", PASSWORD))
        .expectProblem(401, "unauthorized");
    JsonObject signedIn = api.login(email, "a-brand-new-passphrase");
    assertTrue(signedIn.getJsonObject("user").getBoolean("emailVerified"), "the link reached the inbox");
  }

  @Test
  void aResetLinkExpiresAfterHalfAnHour(HttpApi api) throws Exception {
    String email = email();
    api.register(email, PASSWORD, "Edda", null);
    api.post("/api/auth/password/forgot", null, new JsonObject().put("email", email)).expect(202);
    String token = TestMail.token(TestMail.await(email, "Reset your Azora password"));
    long life = inAuthDb(db -> db.preparedQuery("SELECT round(extract(epoch FROM expires_at - created_at))::bigint "
        + "FROM email_tokens WHERE email = $1 AND purpose = 'reset'").execute(Tuple.of(email)).map(r -> r.iterator().next().getLong(0)));
    assertEquals(30 * 60, life, "30 minutes");
    inAuthDb(db -> db.preparedQuery("UPDATE email_tokens SET expires_at = now() WHERE email = $1").execute(Tuple.of(email)));
    api.post("/api/auth/password/reset", null, new JsonObject().put("token", token).put("password", "a-brand-new-passphrase"))
        .expectProblem(400, "invalid_token");
    api.login(email, PASSWORD);
  }

  @Test
  void changingThePasswordNeedsTheCurrentOneAndEndsTheOtherSessions(HttpApi api) {
    String email = email();
    JsonObject here = api.register(email, PASSWORD, "Carl", null);
    JsonObject elsewhere = api.login(email, PASSWORD);
    String token = here.getString("accessToken");
    api.post("/api/auth/password/change", token, new JsonObject().put("newPassword", "a-brand-new-passphrase"))
        .expectProblem(401, "reauth_required");
    api.post("/api/auth/password/change", token, new JsonObject().put("currentPassword", "not-my-password")
        .put("newPassword", "a-brand-new-passphrase")).expectProblem(401, "reauth_required");
    api.post("/api/auth/password/change", token, new JsonObject().put("currentPassword", PASSWORD)
        .put("newPassword", "a-brand-new-passphrase")).expect(204);
    api.get("/api/auth/profile", token).expect(200);
    api.get("/api/auth/profile", elsewhere.getString("accessToken")).expectProblem(401, "unauthorized");
    api.login(email, "a-brand-new-passphrase");
  }

  @Test
  void aStolenAccessTokenCannotTakeOverTheSecondFactorOrSignTheOwnerOut(HttpApi api) {
    String email = email();
    JsonObject owner = api.register(email, PASSWORD, "Olive", null);
    String stolen = api.login(email, PASSWORD).getString("accessToken");

    // Holding only the token: no TOTP of the attacker's, no sign-out of the owner, no password change.
    api.post("/api/auth/mfa/totp/setup", stolen, null).expectProblem(401, "reauth_required");
    api.post("/api/auth/mfa/totp/setup", stolen, new JsonObject().put("password", "guess-one")).expectProblem(401, "reauth_required");
    api.post("/api/auth/mfa/totp/enable", stolen, new JsonObject().put("code", "123456")).expectProblem(401, "reauth_required");
    api.post("/api/auth/sessions/revoke-all", stolen, null).expectProblem(401, "reauth_required");
    api.get("/api/auth/profile", owner.getString("accessToken")).expect(200);
    assertFalse(api.get("/api/auth/profile", owner.getString("accessToken")).json().getBoolean("mfaEnabled"));

    // Wrong guesses back off like failed logins.
    for (int i = 0; i < 10; i++) {
      api.post("/api/auth/mfa/totp/setup", stolen, new JsonObject().put("password", "guess-" + i));
    }
    api.post("/api/auth/mfa/totp/setup", stolen, new JsonObject().put("password", PASSWORD)).expectProblem(429, "rate_limited");
  }

  @Test
  void theOwnerSignsOutEverywhereElseWithTheirPassword(HttpApi api) throws Exception {
    String email = email();
    JsonObject mine = api.register(email, PASSWORD, "Sam", null);
    JsonObject other = api.login(email, PASSWORD);
    JsonObject third = api.login(email, PASSWORD);
    JsonObject answer = api.post("/api/auth/sessions/revoke-all", mine.getString("accessToken"),
        new JsonObject().put("password", PASSWORD)).expect(200).json();
    assertEquals(2, answer.getInteger("revoked"));
    api.get("/api/auth/profile", mine.getString("accessToken")).expect(200);
    api.get("/api/auth/profile", other.getString("accessToken")).expectProblem(401, "unauthorized");
    api.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", third.getString("refreshToken")))
        .expectProblem(401, "unauthorized");
  }

  @Test
  void totpSecretsAreEncryptedAtRest(HttpApi api) throws Exception {
    String email = email();
    String token = api.register(email, PASSWORD, "Tess", null).getString("accessToken");
    String secret = api.post("/api/auth/mfa/totp/setup", token, new JsonObject().put("password", PASSWORD))
        .expect(200).json().getString("secret");
    api.post("/api/auth/mfa/totp/enable", token, new JsonObject().put("password", PASSWORD)
        .put("code", Totp.codeAt(secret, Totp.stepAt(System.currentTimeMillis() / 1000)))).expect(200);
    Row stored = inAuthDb(db -> db.preparedQuery("SELECT mfa_secret, mfa_key_id FROM users WHERE email = $1")
        .execute(Tuple.of(email)).map(r -> r.iterator().next()));
    assertNotEquals(secret, stored.getString("mfa_secret"));
    assertFalse(stored.getString("mfa_secret").contains(secret));
    assertEquals("local-1", stored.getString("mfa_key_id"), "no key configured: the database's own, by id");
    // It still works as a second factor.
    String mfaToken = api.post("/api/auth/login", null, new JsonObject().put("email", email).put("password", PASSWORD))
        .expectProblem(401, "mfa_required").getString("mfaToken");
    api.post("/api/auth/mfa/verify", null, new JsonObject().put("mfaToken", mfaToken)
        .put("code", Totp.codeAt(secret, Totp.stepAt(System.currentTimeMillis() / 1000) + 1))).expect(200);
  }
}
