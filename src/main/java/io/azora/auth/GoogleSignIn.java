package io.azora.auth;

import io.azora.platform.AzoraConfig;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Google sign-in: OpenID Connect authorization-code flow with PKCE (S256). {@code state}, {@code nonce}
 * and the code verifier are stored together with the hash of a cookie set in the browser that started
 * the flow, and consumed once, by that browser only (a code and state sent to someone else's browser are
 * worth nothing there); the ID token is verified against the provider's JWKS ({@code iss}, {@code aud} =
 * client id, {@code exp}) and must carry the flow's nonce.
 * Every endpoint is configuration, so tests run it against their own provider.
 */
final class GoogleSignIn {

  private final AzoraConfig.Google config;
  private final Pool pool;
  private final Vertx vertx;
  private final WebClient web;
  private final AuthRepository repo = new AuthRepository();
  private JWTAuth verifier;

  GoogleSignIn(Vertx vertx, Pool pool, AzoraConfig.Google config) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
    this.web = WebClient.create(vertx);
  }

  /** {url, browser}: where to send the browser, and the cookie value binding the flow to it. */
  Future<JsonObject> authorizationUrl() {
    if (!config.enabled()) {
      return Problems.fail(notConfigured());
    }
    String state = Secrets.token();
    String nonce = Secrets.token();
    String verifier = Secrets.token();
    String browser = Secrets.token();
    return repo.insertFlow(pool, state, nonce, verifier, Secrets.sha256(browser)).map(v -> new JsonObject()
        .put("browser", browser)
        .put("url", config.authorizationEndpoint()
            + (config.authorizationEndpoint().contains("?") ? "&" : "?")
            + "response_type=code&scope=" + enc("openid email profile")
            + "&client_id=" + enc(config.clientId()) + "&redirect_uri=" + enc(config.redirectUri())
            + "&state=" + state + "&nonce=" + nonce
            + "&code_challenge=" + Secrets.sha256Base64Url(verifier) + "&code_challenge_method=S256"));
  }

  /**
   * Exchanges the code of a flow this server started, in the browser that started it ({@code browser}, its
   * cookie), and returns the verified ID token's claims. Anything else is refused before Google is asked.
   */
  Future<JsonObject> verifiedIdentity(String code, String state, String browser) {
    if (!config.enabled()) {
      return Problems.fail(notConfigured());
    }
    if (code == null || code.isBlank() || state == null || state.isBlank()) {
      return Problems.fail(Problems.invalid("code", "code and state are required"));
    }
    if (browser == null || browser.isBlank() || browser.length() > 100) {
      return Problems.fail(Problems.unauthorized("This sign-in was not started in this browser"));
    }
    return repo.consumeFlow(pool, state, Secrets.sha256(browser)).compose(flow -> flow == null
        ? Problems.fail(Problems.unauthorized("Unknown, used or expired sign-in state, or another browser's"))
        : exchange(code, flow.getString("code_verifier"))
            .compose(this::verify)
            .compose(claims -> flow.getString("nonce").equals(claims.getString("nonce"))
                ? Future.succeededFuture(claims)
                : Problems.fail(Problems.unauthorized("ID token nonce does not match the sign-in flow"))));
  }

  private Future<String> exchange(String code, String codeVerifier) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "authorization_code").add("code", code).add("redirect_uri", config.redirectUri())
        .add("client_id", config.clientId()).add("client_secret", config.clientSecret())
        .add("code_verifier", codeVerifier);
    return web.postAbs(config.tokenEndpoint()).timeout(10_000).sendForm(form)
        .expecting(HttpResponseExpectation.SC_SUCCESS)
        .map(resp -> resp.bodyAsJsonObject().getString("id_token"))
        .recover(err -> Problems.fail(Problems.unauthorized("Google did not accept the authorization code")))
        .compose(idToken -> idToken == null
            ? Problems.fail(Problems.unauthorized("Google returned no ID token")) : Future.succeededFuture(idToken));
  }

  /** Verifies with the cached JWKS, reloading it once if the key is unknown (Google rotates keys). */
  private Future<JsonObject> verify(String idToken) {
    return verifierFor(false).compose(jwt -> authenticate(jwt, idToken))
        .recover(err -> verifierFor(true).compose(jwt -> authenticate(jwt, idToken)))
        .recover(err -> Problems.fail(Problems.unauthorized("Invalid Google ID token")));
  }

  private static Future<JsonObject> authenticate(JWTAuth jwt, String token) {
    return jwt.authenticate(new TokenCredentials(token)).map(user -> user.principal());
  }

  private Future<JWTAuth> verifierFor(boolean reload) {
    if (verifier != null && !reload) {
      return Future.succeededFuture(verifier);
    }
    return web.getAbs(config.jwksUri()).timeout(10_000).send()
        .expecting(HttpResponseExpectation.SC_SUCCESS)
        .map(resp -> {
          JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(new JWTOptions()
              .setIssuer(config.issuer()).setAudience(List.of(config.clientId())).setLeeway(30));
          resp.bodyAsJsonObject().getJsonArray("keys").forEach(k -> options.addJwk((JsonObject) k));
          verifier = JWTAuth.create(vertx, options);
          return verifier;
        });
  }

  private static io.vertx.serviceproxy.ServiceException notConfigured() {
    return Problems.of(503, "not_configured", "Google sign-in is not configured on this server");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
