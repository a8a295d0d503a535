package io.azora.gateway;

import io.azora.platform.Caller;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

/**
 * A user's notifications as they happen ({@code GET /api/events/ws}), from whichever node made them
 * ({@link NotificationFanout}). Only pushed: what was missed while offline is {@code GET /api/notifications}.
 */
final class NotificationSocket extends LiveSocket {

  private boolean dropped;

  /** Unsent bytes a socket may hold before it is dropped (its notifications stay stored). */
  static final int WRITE_QUEUE_BYTES = 256 * 1024;

  NotificationSocket(Api api, ServerWebSocket ws, Caller caller, long tokenExpiresAt) {
    super(api, ws, caller, tokenExpiresAt);
    ws.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
  }

  void open() {
    if (start()) {
      api.notifications().add(this);
    }
  }

  void offer(String encoded) {
    if (dropped || ws.isClosed()) {
      return;
    }
    if (ws.writeQueueFull()) {
      dropped = true;
      api.notifications().remove(this);  // nothing more for it, even before its close completes
      ws.close((short) 1013, "Too slow; reconnect and read GET /api/notifications");
      return;
    }
    ws.writeTextMessage(encoded);
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
