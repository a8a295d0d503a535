package io.azora.gateway;

import io.azora.auth.AuthService;
import io.azora.auth.IdentityService;
import io.azora.gateway.Api.Access;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;

import static io.azora.gateway.Api.body;
import static io.azora.gateway.Api.caller;

/**
 * API.md's Auth section: HTTP in, AuthService calls on the bus, HTTP out. No domain logic here; what is
 * HTTP's: answers that carry tokens are never cached ({@code Cache-Control: no-store}), the browser's
 * trusted-device cookie (login back-off per device) and Google sign-in's flow cookie (the flow belongs to
 * the browser that started it) are read and set here.
 */
final class AuthRoutes implements DomainRoutes {

  static final String DEVICE_COOKIE = "azora_device";
  static final String OAUTH_COOKIE = "azora_oauth";
  private static final long DEVICE_COOKIE_SECONDS = 400L * 24 * 3600;

  private final Api api;
  private final AuthService auth;
  /** The code exchange and key fetch with Google may take up to 20 s: a longer timeout than other calls. */
  private static final long GOOGLE_MS = 25_000;
  private final AuthService slowAuth;
  private final IdentityService identity;
  private final boolean secureCookies;

  AuthRoutes(Api api) {
    this.api = api;
    this.auth = AuthService.createProxy(api.vertx(), api.delivery());
    this.slowAuth = AuthService.createProxy(api.vertx(), api.delivery().setSendTimeout(GOOGLE_MS));
    this.identity = IdentityService.createProxy(api.vertx(), api.delivery());
    this.secureCookies = api.config().http().publicBaseUrl().startsWith("https:");
  }

  /**
   * Answers {@code status} with the result of an auth call, through auth's circuit breaker. Tokens, secrets
   * and recovery codes must never sit in a cache, shared or private: no auth answer is stored.
   */
  private <T> Handler<RoutingContext> call(int status, Function<RoutingContext, Future<T>> call) {
    return call(status, api.config().http().serviceTimeoutMs(), call);
  }

  private <T> Handler<RoutingContext> call(int status, long timeoutMs, Function<RoutingContext, Future<T>> call) {
    Handler<RoutingContext> respond = api.respond(status, "auth", timeoutMs, call);
    return ctx -> {
      ctx.response().putHeader("Cache-Control", "no-store").putHeader("Pragma", "no-cache");
      respond.handle(ctx);
    };
  }

  /** A sign-in's answer: the trusted-device token becomes the browser's cookie, not part of the body. */
  private Handler<RoutingContext> signIn(int status, Function<RoutingContext, Future<JsonObject>> call) {
    return signIn(status, api.config().http().serviceTimeoutMs(), call);
  }

  private Handler<RoutingContext> signIn(int status, long timeoutMs, Function<RoutingContext, Future<JsonObject>> call) {
    return call(status, timeoutMs, ctx -> call.apply(ctx).map(tokens -> {
      Object device = tokens.remove("deviceToken");
      if (device instanceof String value) {
        ctx.response().addCookie(Cookie.cookie(DEVICE_COOKIE, value).setPath("/api/auth").setHttpOnly(true)
            .setSecure(secureCookies).setSameSite(CookieSameSite.STRICT).setMaxAge(DEVICE_COOKIE_SECONDS));
      }
      return tokens;
    }));
  }

  /** {ip, userAgent, device}: who is calling, as auth records it and keys its login back-off. */
  private static JsonObject client(RoutingContext ctx) {
    Cookie device = ctx.request().getCookie(DEVICE_COOKIE);
    return Api.client(ctx).put("device", device == null ? null : device.getValue());
  }

  @Override
  public void mount(Router r) {
    // No Idempotency-Key here: the stored answer would hold live tokens, and its fingerprint the password.
    r.post("/api/auth/register").handler(api.guard(Access.PUBLIC)).handler(api.validate("register"))
        .handler(signIn(201, ctx -> auth.register(body(ctx), client(ctx))));
    r.post("/api/auth/login").handler(api.guard(Access.LOGIN)).handler(api.validate("login"))
        .handler(signIn(200, ctx -> auth.login(body(ctx), client(ctx))));
    r.post("/api/auth/mfa/verify").handler(api.guard(Access.LOGIN)).handler(api.validate("verifyMfa"))
        .handler(signIn(200, ctx -> auth.verifyMfa(body(ctx), client(ctx))));
    r.post("/api/auth/refresh").handler(api.guard(Access.PUBLIC)).handler(api.validate("refresh"))
        .handler(call(200, ctx -> auth.refresh(body(ctx).getString("refreshToken"), client(ctx))));
    r.post("/api/auth/logout").handler(api.guard(Access.USER))
        .handler(call(204, ctx -> auth.logout(caller(ctx).userId(), caller(ctx).sessionId())));
    r.get("/api/auth/profile").handler(api.guard(Access.USER))
        .handler(call(200, ctx -> identity.profile(caller(ctx).userId())));
    r.get("/api/auth/sessions").handler(api.guard(Access.USER)).handler(api.validate("sessions"))
        .handler(call(200, ctx -> auth.sessions(caller(ctx).userId(), caller(ctx).sessionId(),
            Api.limit(ctx), ctx.queryParams().get("cursor"))));
    r.post("/api/auth/sessions/revoke-all").handler(api.guard(Access.USER)).handler(api.validate("revokeOtherSessions"))
        .handler(call(200, ctx -> auth.revokeOtherSessions(caller(ctx).userId(), caller(ctx).sessionId(), body(ctx))));
    r.delete("/api/auth/sessions/:id").handler(api.guard(Access.USER)).handler(api.validate("revokeSession"))
        .handler(call(204, ctx -> auth.revokeSession(caller(ctx).userId(), ctx.pathParam("id"))));
    r.post("/api/auth/mfa/totp/setup").handler(api.guard(Access.USER)).handler(api.validate("totpSetup"))
        .handler(call(200, ctx -> auth.totpSetup(caller(ctx).userId(), body(ctx))));
    r.post("/api/auth/mfa/totp/enable").handler(api.guard(Access.USER)).handler(api.validate("totpEnable"))
        .handler(call(200, ctx -> auth.totpEnable(caller(ctx).userId(), body(ctx))));
    r.post("/api/auth/mfa/totp/disable").handler(api.guard(Access.USER)).handler(api.validate("totpDisable"))
        .handler(call(204, ctx -> auth.totpDisable(caller(ctx).userId(), body(ctx))));
    r.post("/api/auth/email/verify").handler(api.guard(Access.LOGIN)).handler(api.validate("verifyEmail"))
        .handler(call(204, ctx -> auth.verifyEmail(body(ctx))));
    r.post("/api/auth/email/verify/resend").handler(api.guard(Access.USER))
        .handler(call(202, ctx -> auth.resendVerification(caller(ctx).userId())));
    r.post("/api/auth/password/forgot").handler(api.guard(Access.LOGIN)).handler(api.validate("forgotPassword"))
        .handler(call(202, ctx -> auth.forgotPassword(body(ctx))));
    r.post("/api/auth/password/reset").handler(api.guard(Access.LOGIN)).handler(api.validate("resetPassword"))
        .handler(call(204, ctx -> auth.resetPassword(body(ctx))));
    r.post("/api/auth/password/change").handler(api.guard(Access.USER)).handler(api.validate("changePassword"))
        .handler(call(204, ctx -> auth.changePassword(caller(ctx).userId(), caller(ctx).sessionId(), body(ctx))));
    r.get("/api/auth/oauth/google").handler(api.guard(Access.LOGIN)).handler(this::googleRedirect);
    r.get("/api/auth/oauth/google/callback").handler(api.guard(Access.LOGIN)).handler(api.validate("googleCallback"))
        .handler(signIn(200, GOOGLE_MS, ctx -> {
          Cookie flow = ctx.request().getCookie(OAUTH_COOKIE);
          ctx.response().addCookie(Cookie.cookie(OAUTH_COOKIE, "").setPath("/api/auth/oauth").setMaxAge(0));
          return slowAuth.googleCallback(ctx.queryParams().get("code"), ctx.queryParams().get("state"),
              flow == null ? null : flow.getValue(), client(ctx));
        }));
    r.post("/api/admin/users/:id/roles").handler(api.guard(Access.ADMIN)).handler(api.validate("setRoles"))
        .handler(call(200, ctx -> auth.setRoles(ctx.pathParam("id"), body(ctx).getJsonArray("roles"))));
    r.post("/api/admin/signing-keys/rotate").handler(api.guard(Access.ADMIN))
        .handler(call(200, ctx -> auth.rotateSigningKey()));
    r.get("/.well-known/jwks.json").handler(api.guard(Access.PUBLIC)).handler(ctx -> identity.jwks()
        .onSuccess(jwks -> ctx.response().putHeader("Cache-Control", "public, max-age=300")
            .putHeader("Content-Type", "application/json").end(jwks.toBuffer()))
        .onFailure(err -> ProblemJson.fail(ctx, err)));
  }

  /**
   * To Google, with a cookie binding the flow to this browser (SameSite=Lax: it must come back on the
   * top-level redirect from Google, and only to the callback's path).
   */
  private void googleRedirect(RoutingContext ctx) {
    auth.googleAuthorizationUrl()
        .onSuccess(flow -> ctx.response().setStatusCode(302).putHeader("Location", flow.getString("url"))
            .addCookie(Cookie.cookie(OAUTH_COOKIE, flow.getString("browser")).setPath("/api/auth/oauth").setHttpOnly(true)
                .setSecure(secureCookies).setSameSite(CookieSameSite.LAX).setMaxAge(600))
            .putHeader("Cache-Control", "no-store").end())
        .onFailure(err -> ProblemJson.fail(ctx, err));
  }
}
