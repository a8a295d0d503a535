package io.azora.gateway;

import io.azora.gateway.Api.Access;
import io.azora.tutoring.TutoringService;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Consumer;

import static io.azora.gateway.Api.caller;

/**
 * API.md's Real-time section: Elara ({@code GET /api/tutor/ws}, {@link TutorSocket}), the live rooms
 * ({@code GET /api/rooms/{courseId}/ws}, {@link RoomSocket}) and notifications ({@code GET /api/events/ws},
 * {@link NotificationSocket}, with the stored list and mark-read). Every socket is authenticated at the
 * upgrade: a bearer header, {@code ?token=}, or the subprotocol {@code bearer.<token>}, which is echoed.
 */
final class TutoringRoutes implements DomainRoutes {

  private static final String PROTOCOL_PREFIX = "bearer.";

  private final Api api;
  private final TutoringService tutoring;
  private final int questionsPerMinute;
  private final int roomMessagesPerMinute;

  TutoringRoutes(Api api) {
    this.api = api;
    this.tutoring = TutoringService.createProxy(api.vertx(), api.delivery());
    JsonObject tutor = api.rawConfig().getJsonObject("tutor", new JsonObject());
    this.questionsPerMinute = Math.max(1, tutor.getInteger("questionsPerMinute", 20));
    this.roomMessagesPerMinute = Math.max(1, tutor.getInteger("roomMessagesPerMinute", 30));
  }

  @Override
  public void mount(Router r) {
    r.get("/api/tutor/ws").handler(TutoringRoutes::socketToken).handler(api.guard(Access.USER))
        .handler(ctx -> upgrade(ctx, ws -> new TutorSocket(api, ws, caller(ctx), api.tokenExpiresAt(ctx),
            questionsPerMinute).start()));
    // Admitted by tutoring before the upgrade, so an outsider gets a plain 403 (or 404), not a socket.
    r.get("/api/rooms/:courseId/ws").handler(TutoringRoutes::socketToken).handler(api.guard(Access.USER))
        .handler(ctx -> tutoring.joinRoom(caller(ctx), ctx.pathParam("courseId"))
            .onFailure(err -> ProblemJson.fail(ctx, err))
            .onSuccess(joined -> upgrade(ctx, ws -> new RoomSocket(api, ws, caller(ctx), api.tokenExpiresAt(ctx),
                joined.getString("courseId"), joined.getString("name"), roomMessagesPerMinute).open(joined))));
    r.get("/api/events/ws").handler(TutoringRoutes::socketToken).handler(api.guard(Access.USER))
        .handler(ctx -> upgrade(ctx, ws -> new NotificationSocket(api, ws, caller(ctx), api.tokenExpiresAt(ctx)).open()));
    r.get("/api/notifications").handler(api.guard(Access.USER)).handler(api.validate("listNotifications"))
        .handler(api.respond(200, "tutoring", ctx -> tutoring.notifications(caller(ctx),
            "true".equals(ctx.queryParams().get("unread")), Api.limit(ctx), ctx.queryParams().get("cursor"))));
    r.post("/api/notifications/:id/read").handler(api.guard(Access.USER)).handler(api.validate("readNotification"))
        .handler(api.respond(204, "tutoring", ctx -> tutoring.markNotificationRead(caller(ctx), ctx.pathParam("id"))));
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

  private static void upgrade(RoutingContext ctx, Consumer<ServerWebSocket> socket) {
    ctx.request().toWebSocket()
        .onSuccess(socket::accept)
        .onFailure(err -> {
          if (!ctx.response().ended()) {
            ProblemJson.send(ctx, 400, "not_a_websocket", "This endpoint speaks WebSocket only");
          }
        });
  }
}
