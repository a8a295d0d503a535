package io.azora.gateway;

import io.azora.platform.Caller;
import io.azora.tutoring.TutoringService;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

/**
 * One participant's socket in a course's live room ({@code GET /api/rooms/{courseId}/ws}), admitted by
 * tutoring before the upgrade. Chat goes to tutoring, which keeps it and publishes it once; every gateway
 * fans it out ({@link RoomFanout}). A socket that cannot keep up is dropped (1013), never waited for.
 */
final class RoomSocket extends LiveSocket {

  /** A participant's messages waiting for the ones before them (kept in order); more are refused. */
  static final int MAX_WAITING = 32;

  final String courseId;
  final String name;
  private final int messagesPerMinute;
  /** The last of this socket's messages on its way: each next one waits for it, so a sender's order holds. */
  private Future<Void> sending = Future.succeededFuture();
  private int waiting;

  RoomSocket(Api api, ServerWebSocket ws, Caller caller, long tokenExpiresAt, String courseId, String name,
             int messagesPerMinute) {
    super(api, ws, caller, tokenExpiresAt);
    this.courseId = courseId;
    this.name = name;
    this.messagesPerMinute = messagesPerMinute;
  }

  /** Joins: the history first, then this socket is in the room (presence follows from every gateway). */
  void open(JsonObject joined) {
    if (start()) {
      send(new JsonObject().put("type", "history").put("messages", joined.getJsonArray("messages")));
      api.rooms().join(this);
    }
  }

  @Override
  void onMessage(JsonObject message) {
    String id = idOf(message);
    if (!"chat".equals(message.getString("type"))) {
      error(id, 400, "validation_failed", "type must be chat (or auth)");
      return;
    }
    if (!(message.getValue("text") instanceof String text)) {
      error(id, 400, "validation_failed", "text must be a string");
      return;
    }
    if (waiting >= MAX_WAITING) {
      error(id, 429, "rate_limited", "Too many messages on their way; wait for them");
      return;
    }
    waiting++;
    sending = sending.transform(previous -> post(id, text)).onComplete(ar -> waiting--);
  }

  private Future<Void> post(String id, String text) {
    return api.count("room:" + caller.userId(), caller.sessionId(), messagesPerMinute, 60)
        .compose(decision -> {
          if (decision.denied()) {
            ws.close((short) 1008, "Session ended");
          } else if (!decision.allowed()) {
            error(id, 429, "rate_limited", "At most " + messagesPerMinute + " messages a minute; wait "
                + decision.resetSeconds() + " s");
          } else {
            // Everyone, this sender included, sees it when tutoring publishes it.
            return TutoringService.createProxy(api.vertx(), api.deliveryAs(caller)).postToRoom(caller, courseId, text)
                .onFailure(err -> failed(id, err)).<Void>mapEmpty();
          }
          return Future.<Void>succeededFuture();
        }, err -> {
          error(id, 503, "unavailable", "The room cannot take messages now; try again");
          return Future.succeededFuture();
        })
        .recover(err -> Future.succeededFuture());
  }

  @Override
  void onClosed() {
    api.rooms().leave(this);
  }
}
