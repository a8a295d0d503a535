package io.azora.gateway;

import io.azora.platform.Caller;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

/**
 * A user's notifications as they happen ({@code GET /api/events/ws}), from whichever node made them
 * ({@link NotificationFanout}). Only pushed: what was missed while offline is {@code GET /api/notifications}.
 */
final class NotificationSocket extends LiveSocket {

  NotificationSocket(Api api, ServerWebSocket ws, Caller caller, long tokenExpiresAt) {
    super(api, ws, caller, tokenExpiresAt);
  }

  void open() {
    if (start()) {
      api.notifications().add(this);
    }
  }

  @Override
  void onMessage(JsonObject message) {
    error(LiveSocket.idOf(message), 400, "validation_failed",
        "This socket only pushes (send auth to renew the token); mark read with POST /api/notifications/{id}/read");
  }

  @Override
  void onClosed() {
    api.notifications().remove(this);
  }
}
