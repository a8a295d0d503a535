package io.azora.auth;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The auth domain's contract on the event bus. Bodies are the JSON of API.md (already schema-checked by
 * the gateway); {@code client} is {@code {ip, userAgent}} of the caller. Failures are
 * {@link io.vertx.serviceproxy.ServiceException}s whose code is the HTTP status.
 */
@ProxyGen
@VertxGen
public interface AuthService {

  String ADDRESS = "azora.auth";
  /** Published (kid) when the signing key changes. */
  String KEYS_CHANGED = "azora.auth.keys-changed";

  static AuthService createProxy(Vertx vertx, DeliveryOptions options) {
    return new AuthServiceVertxEBProxy(vertx, ADDRESS, options);
  }

  /** {email, password, name, role?} → {user, token, accessToken, refreshToken, expiresIn}. */
  Future<JsonObject> register(JsonObject request, JsonObject client);

  /** {email, password} → tokens, or 401 mfa_required with an mfaToken. */
  Future<JsonObject> login(JsonObject request, JsonObject client);

  /** {mfaToken, code} → tokens. */
  Future<JsonObject> verifyMfa(JsonObject request, JsonObject client);

  /** Spends {@code refreshToken} and returns a new pair; a spent token revokes its session. */
  Future<JsonObject> refresh(String refreshToken, JsonObject client);

  Future<Void> logout(String userId, String sessionId);

  Future<JsonObject> profile(String userId);

  /** A page of the caller's active sessions: {items, nextCursor}. */
  Future<JsonObject> sessions(String userId, String currentSessionId, int limit, String cursor);

  Future<Void> revokeSession(String userId, String sessionId);

  Future<JsonObject> totpSetup(String userId);

  Future<JsonObject> totpEnable(String userId, String code);

  Future<Void> totpDisable(String userId, String code);

  /** The URL to send the browser to, with state, nonce and PKCE challenge of a new flow. */
  Future<String> googleAuthorizationUrl();

  Future<JsonObject> googleCallback(String code, String state, JsonObject client);

  /** Sets the roles of {@code userId} (admin only; the gateway checks the caller). */
  Future<JsonObject> setRoles(String userId, JsonArray roles);

  /** Starts signing with a new key now (admin); the old one stays published until its tokens expire. */
  Future<JsonObject> rotateSigningKey();

  /** The public keys that verify access tokens and credentials. */
  Future<JsonObject> jwks();

  /**
   * Signs a verifiable credential (W3C VC data model, JWT form) for {@code subject} with the platform's
   * key: {@code vc} is the credential object; the answer is the compact JWT, checkable with the JWKS.
   * It has no audience, so it can never pass as an access token.
   */
  Future<String> signCredential(String subject, JsonObject vc);
}
