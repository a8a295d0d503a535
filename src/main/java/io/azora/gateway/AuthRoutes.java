package io.azora.gateway;

import io.azora.auth.AuthService;
import io.azora.gateway.Api.Access;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;

import static io.azora.gateway.Api.body;
import static io.azora.gateway.Api.caller;
import static io.azora.gateway.Api.client;

/** API.md's Auth section: HTTP in, AuthService calls on the bus, HTTP out. No domain logic here. */
final class AuthRoutes {

  private final Api api;
  private final AuthService auth;
  /** The code exchange and key fetch with Google may take up to 20 s: a longer timeout than other calls. */
  private final AuthService slowAuth;

  AuthRoutes(Api api) {
    this.api = api;
    this.auth = AuthService.createProxy(api.vertx(), api.delivery());
    this.slowAuth = AuthService.createProxy(api.vertx(), api.delivery().setSendTimeout(25_000));
  }

  /** Answers {@code status} with the result of an auth call, through auth's circuit breaker. */
  private <T> Handler<RoutingContext> call(int status, Function<RoutingContext, Future<T>> call) {
    return api.respond(status, "auth", call);
  }

  void mount(Router r) {
    // No Idempotency-Key here: the stored answer would hold live tokens, and its fingerprint the password.
    r.post("/api/auth/register").handler(api.guard(Access.PUBLIC)).handler(api.validate("register"))
        .handler(call(201, ctx -> auth.register(body(ctx), client(ctx))));
    r.post("/api/auth/login").handler(api.guard(Access.LOGIN)).handler(api.validate("login"))
        .handler(call(200, ctx -> auth.login(body(ctx), client(ctx))));
    r.post("/api/auth/mfa/verify").handler(api.guard(Access.LOGIN)).handler(api.validate("verifyMfa"))
        .handler(call(200, ctx -> auth.verifyMfa(body(ctx), client(ctx))));
    r.post("/api/auth/refresh").handler(api.guard(Access.PUBLIC)).handler(api.validate("refresh"))
        .handler(call(200, ctx -> auth.refresh(body(ctx).getString("refreshToken"), client(ctx))));
    r.post("/api/auth/logout").handler(api.guard(Access.USER))
        .handler(call(204, ctx -> auth.logout(caller(ctx).userId(), caller(ctx).sessionId())));
    r.get("/api/auth/profile").handler(api.guard(Access.USER))
        .handler(call(200, ctx -> auth.profile(caller(ctx).userId())));
    r.get("/api/auth/sessions").handler(api.guard(Access.USER)).handler(api.validate("sessions"))
        .handler(call(200, ctx -> auth.sessions(caller(ctx).userId(), caller(ctx).sessionId(),
            Api.limit(ctx), ctx.queryParams().get("cursor"))));
    r.delete("/api/auth/sessions/:id").handler(api.guard(Access.USER)).handler(api.validate("revokeSession"))
        .handler(call(204, ctx -> auth.revokeSession(caller(ctx).userId(), ctx.pathParam("id"))));
    r.post("/api/auth/mfa/totp/setup").handler(api.guard(Access.USER))
        .handler(call(200, ctx -> auth.totpSetup(caller(ctx).userId())));
    r.post("/api/auth/mfa/totp/enable").handler(api.guard(Access.USER)).handler(api.validate("totpEnable"))
        .handler(call(200, ctx -> auth.totpEnable(caller(ctx).userId(), body(ctx).getString("code"))));
    r.post("/api/auth/mfa/totp/disable").handler(api.guard(Access.USER)).handler(api.validate("totpDisable"))
        .handler(call(204, ctx -> auth.totpDisable(caller(ctx).userId(), body(ctx).getString("code"))));
    r.get("/api/auth/oauth/google").handler(api.guard(Access.LOGIN)).handler(this::googleRedirect);
    r.get("/api/auth/oauth/google/callback").handler(api.guard(Access.LOGIN)).handler(api.validate("googleCallback"))
        .handler(call(200, ctx -> slowAuth.googleCallback(ctx.queryParams().get("code"), ctx.queryParams().get("state"), client(ctx))));
    r.post("/api/admin/users/:id/roles").handler(api.guard(Access.ADMIN)).handler(api.validate("setRoles"))
        .handler(call(200, ctx -> auth.setRoles(ctx.pathParam("id"), body(ctx).getJsonArray("roles"))));
    r.post("/api/admin/signing-keys/rotate").handler(api.guard(Access.ADMIN))
        .handler(call(200, ctx -> auth.rotateSigningKey()));
    r.get("/.well-known/jwks.json").handler(api.guard(Access.PUBLIC)).handler(ctx -> auth.jwks()
        .onSuccess(jwks -> ctx.response().putHeader("Cache-Control", "public, max-age=300")
            .putHeader("Content-Type", "application/json").end(jwks.toBuffer()))
        .onFailure(err -> ProblemJson.fail(ctx, err)));
  }

  private void googleRedirect(RoutingContext ctx) {
    auth.googleAuthorizationUrl()
        .onSuccess(url -> ctx.response().setStatusCode(302).putHeader("Location", url)
            .putHeader("Cache-Control", "no-store").end())
        .onFailure(err -> ProblemJson.fail(ctx, err));
  }
}
