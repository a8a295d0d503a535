package io.azora.auth;

import io.azora.auth.AuthRepository.User;
import io.azora.platform.AzoraConfig;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * TOTP multi-factor authentication: setup, enable (with ten single-use recovery codes), disable, and the
 * second step of a sign-in. Every code is usable once; wrong codes count per challenge and per account.
 */
final class Mfa {

  private static final int CHALLENGE_SECONDS = 300;
  private static final int MAX_ATTEMPTS = 5;
  private static final int RECOVERY_CODES = 10;

  /** Opens a session for a user who passed every factor, in the caller's transaction. */
  @FunctionalInterface
  interface SessionOpener {
    Future<JsonObject> open(SqlClient tx, User user, JsonObject client);
  }

  private final Pool pool;
  private final AzoraConfig.Auth config;
  private final AuthRepository repo;
  private final SecretBox secrets;

  Mfa(Pool pool, AzoraConfig.Auth config, AuthRepository repo, SecretBox secrets) {
    this.pool = pool;
    this.config = config;
    this.repo = repo;
    this.secrets = secrets;
  }

  private String secretOf(User user) {
    return secrets.open(user.id(), user.mfaKeyId(), user.mfaSecret());
  }

  /** Fails with 401 {@code mfa_required} carrying a fresh, single-use mfaToken for {@code user}. */
  Future<JsonObject> challenge(User user) {
    String token = Secrets.token();
    return repo.insertChallenge(pool, Secrets.sha256(token), user.id(),
            OffsetDateTime.now().plusSeconds(CHALLENGE_SECONDS))
        .compose(v -> {
          ServiceException e = Problems.of(401, "mfa_required", "A second factor is required: send the code with the mfaToken");
          e.getDebugInfo().put("mfaToken", token);
          return Future.failedFuture(e);
        });
  }

  /** {mfaToken, code}: the tokens of a session opened by {@code sessions}, or 401, or 429 while the account waits. */
  Future<JsonObject> verify(JsonObject request, JsonObject client, SessionOpener sessions) {
    byte[] hash = Secrets.sha256(request.getString("mfaToken", ""));
    String code = request.getString("code", "").trim();
    // Attempts count per challenge and per account, and commit whether the code is right or not: the
    // transaction returns an outcome (tokens, seconds to wait, or null) rather than failing.
    return pool.<Object>withTransaction(tx -> repo.challengeForUpdate(tx, hash, MAX_ATTEMPTS)
            .compose(userId -> userId == null ? Future.succeededFuture(null) : attempt(tx, hash, userId, code, client, sessions)))
        .compose(outcome -> {
          if (outcome instanceof JsonObject tokens) {
            return Future.succeededFuture(tokens);
          }
          if (outcome instanceof Long wait) {
            return Future.failedFuture(Problems.tooMany("Too many wrong codes for this account; try again later", wait));
          }
          return Future.failedFuture(Problems.unauthorized("Invalid or expired MFA token or code"));
        });
  }

  private Future<Object> attempt(SqlClient tx, byte[] challenge, UUID userId, String code, JsonObject client,
                                 SessionOpener sessions) {
    String subject = "mfa:" + userId;
    return repo.countAttempt(tx, subject, config.loginFailuresBeforeThrottle(), config.loginThrottleBaseSeconds(),
            config.loginThrottleMaxSeconds())
        .compose(wait -> wait > 0 ? Future.succeededFuture(wait) : repo.byIdForUpdate(tx, userId)
            .compose(user -> secondFactor(tx, user, code)
                .compose(ok -> repo.challengeAttempt(tx, challenge, ok).map(ok))
                .compose(ok -> ok
                    ? repo.clearFailures(tx, subject).compose(v -> sessions.open(tx, user, client)).map(tokens -> (Object) tokens)
                    : Future.succeededFuture(null))));
  }

  /** Checks a TOTP code (each step once) or an unused recovery code, recording its use. */
  Future<Boolean> secondFactor(SqlClient tx, User user, String code) {
    if (!user.mfaEnabled() || user.mfaSecret() == null) {
      return Future.succeededFuture(false);
    }
    if (code.matches("\\d{" + Totp.DIGITS + "}")) {
      long step = Totp.matchingStep(secretOf(user), code, System.currentTimeMillis() / 1000, user.mfaLastStep());
      return step < 0 ? Future.succeededFuture(false) : repo.useTotpStep(tx, user.id(), step).map(true);
    }
    return repo.useRecoveryCode(tx, user.id(), Secrets.sha256(Secrets.normalizeRecoveryCode(code)));
  }

  /** A new secret (not yet enabled) for the user {@code presence} proved to be here. */
  Future<JsonObject> setup(SqlClient tx, User user) {
    if (user.mfaEnabled()) {
      return Problems.fail(Problems.conflict("MFA is already enabled; disable it first"));
    }
    String secret = Totp.newSecret();
    return repo.setMfa(tx, user.id(), secrets.seal(user.id(), secret), false, 0).map(v -> new JsonObject()
        .put("secret", secret).put("otpauthUri", Totp.otpauthUri(config.mfaIssuer(), user.email(), secret)));
  }

  /** Turns MFA on with a code of the new secret: ten single-use recovery codes. */
  Future<JsonObject> enable(SqlClient tx, User user, String code) {
    if (user.mfaEnabled()) {
      return Problems.fail(Problems.conflict("MFA is already enabled"));
    }
    if (user.mfaSecret() == null) {
      return Problems.fail(Problems.conflict("Set up TOTP first (POST /api/auth/mfa/totp/setup)"));
    }
    String secret = secretOf(user);
    long step = Totp.matchingStep(secret, code, System.currentTimeMillis() / 1000, user.mfaLastStep());
    if (step < 0) {
      return Problems.fail(Problems.of(400, "invalid_code", "The code is wrong or was already used"));
    }
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < RECOVERY_CODES; i++) {
      codes.add(Secrets.recoveryCode());
    }
    return repo.setMfa(tx, user.id(), new SecretBox.Sealed(user.mfaKeyId(), user.mfaSecret()), true, step)
        .compose(v -> repo.replaceRecoveryCodes(tx, user.id(),
            codes.stream().map(c -> Secrets.sha256(Secrets.normalizeRecoveryCode(c))).toList()))
        .map(v -> new JsonObject().put("recoveryCodes", new JsonArray(codes)));
  }

  /** Turns MFA off (presence was proved by the caller: the password, or a code of this secret). */
  Future<Void> disable(SqlClient tx, User user) {
    if (!user.mfaEnabled()) {
      return Problems.fail(Problems.conflict("MFA is not enabled"));
    }
    return repo.setMfa(tx, user.id(), null, false, 0).compose(v -> repo.replaceRecoveryCodes(tx, user.id(), List.of()));
  }
}
