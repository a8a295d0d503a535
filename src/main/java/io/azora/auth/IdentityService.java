package io.azora.auth;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * What other domains (and the gateway's token checks) ask of auth on the event bus: who a user is, the
 * platform's public keys, and signatures on verifiable credentials. Failures are
 * {@link io.vertx.serviceproxy.ServiceException}s whose code is the HTTP status.
 */
@ProxyGen
@VertxGen
public interface IdentityService {

  String ADDRESS = "azora.auth.identity";
  /** Published (kid) when the signing key changes. */
  String KEYS_CHANGED = "azora.auth.keys-changed";
  /** Published ({sessionIds}) as soon as sessions are revoked: gateways close their sockets at once. */
  String SESSIONS_REVOKED = "azora.auth.sessions-revoked";

  static IdentityService createProxy(Vertx vertx, DeliveryOptions options) {
    return new IdentityServiceVertxEBProxy(vertx, ADDRESS, options);
  }

  /** {id, email, name, roles, emailVerified, mfaEnabled, createdAt} of the user; 404 if there is none. */
  Future<JsonObject> profile(String userId);

  /** The public keys that verify access tokens and credentials. */
  Future<JsonObject> jwks();

  /** The public keys that may have signed a live access token (gateways accept tokens only from these). */
  Future<JsonObject> accessTokenKeys();

  /**
   * Signs a verifiable credential (W3C VC data model, JWT form) for {@code subject} with the platform's
   * key: {@code vc} is the credential object; the answer is the compact JWT, checkable with the JWKS.
   * It has no audience, so it can never pass as an access token.
   */
  Future<String> signCredential(String subject, JsonObject vc);
}
