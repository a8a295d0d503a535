package io.azora.auth;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What the gateway asks of auth on the event bus: accounts, sign-in, sessions, MFA, recovery, roles. Bodies
 * are the JSON of API.md (already schema-checked by the gateway); {@code client} is {@code {ip, userAgent}}
 * of the caller. Failures are {@link io.vertx.serviceproxy.ServiceException}s whose code is the HTTP status.
 * What other domains ask of auth is {@link IdentityService}.
 */
@ProxyGen
@VertxGen
public interface AuthService {

  String ADDRESS = "azora.auth";

  static AuthService createProxy(Vertx vertx, DeliveryOptions options) {
    return new AuthServiceVertxEBProxy(vertx, ADDRESS, options);
  }

  /**
   * {email, password, name, role?} → {user, token, accessToken, refreshToken, expiresIn, deviceToken}; a
   * verification mail goes to the address. {@code client} is {ip, userAgent, device}: device is the browser's
   * trusted-device cookie, if any ({@code deviceToken} in the answer is the one to set).
   */
  Future<JsonObject> register(JsonObject request, JsonObject client);

  /** {email, password} → tokens, or 401 mfa_required with an mfaToken; failures back off per account and client. */
  Future<JsonObject> login(JsonObject request, JsonObject client);

  /** {mfaToken, code} → tokens. */
  Future<JsonObject> verifyMfa(JsonObject request, JsonObject client);

  /** Spends {@code refreshToken} and returns a new pair; a spent token revokes its session. */
  Future<JsonObject> refresh(String refreshToken, JsonObject client);

  Future<Void> logout(String userId, String sessionId);


  /** A page of the caller's active sessions: {items, nextCursor}. */
  Future<JsonObject> sessions(String userId, String currentSessionId, int limit, String cursor);

  Future<Void> revokeSession(String userId, String sessionId);

  /** {password | code}: every session of the user but the current one ends (401 reauth_required without proof). */
  Future<JsonObject> revokeOtherSessions(String userId, String currentSessionId, JsonObject request);

  /** {password | code} → {secret, otpauthUri} of a new secret, not enabled yet. */
  Future<JsonObject> totpSetup(String userId, JsonObject request);

  /** {code (of the new secret), password} → {recoveryCodes}. */
  Future<JsonObject> totpEnable(String userId, JsonObject request);

  /** {code | password}: MFA off. */
  Future<Void> totpDisable(String userId, JsonObject request);

  /** {token} from the verification mail: the email is verified. */
  Future<Void> verifyEmail(JsonObject request);

  /** Mails a new verification link to the caller if their email is not verified yet. */
  Future<Void> resendVerification(String userId);

  /** {email}: mails a reset link if an account has it; the same answer either way. */
  Future<Void> forgotPassword(JsonObject request);

  /** {token, password}: the new password; every session of the user ends. */
  Future<Void> resetPassword(JsonObject request);

  /** {currentPassword | code, newPassword}: the other sessions end. */
  Future<Void> changePassword(String userId, String currentSessionId, JsonObject request);

  /**
   * A new Google sign-in flow: {url} to send the browser to (state, nonce, PKCE challenge) and {browser},
   * the value of the cookie that binds the flow to that browser.
   */
  Future<JsonObject> googleAuthorizationUrl();

  /** The callback of a flow started by the browser holding {@code browser} (its cookie); another browser's is 401. */
  Future<JsonObject> googleCallback(String code, String state, String browser, JsonObject client);

  /** Sets the roles of {@code userId} (admin only; the gateway checks the caller). */
  Future<JsonObject> setRoles(String userId, JsonArray roles);

  /** Starts signing with a new key now (admin); the old one stays published until its tokens expire. */
  Future<JsonObject> rotateSigningKey();
}
