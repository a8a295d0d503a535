package io.azora.gateway;

import io.azora.gateway.Api.Access;
import io.azora.tutoring.TutoringService;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import static io.azora.gateway.Api.caller;

/**
 * API.md's Real-time section for Elara: {@code GET /api/tutor/ws}, authenticated at the upgrade (a bearer
 * header, {@code ?token=}, or the subprotocol {@code bearer.<token>}, which is echoed), and the learner's
 * recent turns. The answers come from tutoring over the bus ({@link TutorSocket}).
 */
final class TutoringRoutes implements DomainRoutes {

  private static final String PROTOCOL_PREFIX = "bearer.";

  private final Api api;
  private final TutoringService tutoring;
  private final int questionsPerMinute;
  private final int maxMessageBytes;

  TutoringRoutes(Api api) {
    this.api = api;
    this.tutoring = TutoringService.createProxy(api.vertx(), api.delivery());
    JsonObject tutor = api.rawConfig().getJsonObject("tutor", new JsonObject());
    this.questionsPerMinute = Math.max(1, tutor.getInteger("questionsPerMinute", 20));
    this.maxMessageBytes = GatewayVerticle.webSocketMaxMessageBytes(api.rawConfig());
  }

  @Override
  public void mount(Router r) {
    r.get("/api/tutor/ws").handler(TutoringRoutes::socketToken).handler(api.guard(Access.USER))
        .handler(this::upgrade);
    r.get("/api/tutor/history").handler(api.guard(Access.USER)).handler(api.validate("tutorHistory"))
        .handler(api.respond(200, "tutoring", ctx -> tutoring.history(caller(ctx), ctx.queryParams().get("courseId"),
            Api.limit(ctx))));
  }

  /** Browsers cannot set headers on a WebSocket: the token may come as ?token= or as a subprotocol. */
  static void socketToken(RoutingContext ctx) {
    // Held until the upgrade: the checks before it are asynchronous, and an ended request cannot upgrade.
    ctx.request().pause();
    if (ctx.request().getHeader(HttpHeaders.AUTHORIZATION) == null) {
      String token = ctx.queryParams().get("token");
      String protocols = ctx.request().getHeader("Sec-WebSocket-Protocol");
      if (token == null && protocols != null) {
        for (String protocol : protocols.split(",")) {
          if (protocol.strip().startsWith(PROTOCOL_PREFIX)) {
            token = protocol.strip().substring(PROTOCOL_PREFIX.length());
            break;
          }
        }
      }
      if (token != null && !token.isBlank() && token.length() <= 8192) {
        ctx.request().headers().set(HttpHeaders.AUTHORIZATION, "Bearer " + token);
      }
    }
    ctx.next();
  }

  private void upgrade(RoutingContext ctx) {
    ctx.request().toWebSocket()
        .onSuccess(ws -> new TutorSocket(api, ws, caller(ctx), questionsPerMinute, maxMessageBytes).start())
        .onFailure(err -> {
          if (!ctx.response().ended()) {
            ProblemJson.send(ctx, 400, "not_a_websocket", "This endpoint speaks WebSocket only");
          }
        });
  }
}
