package io.azora.gateway;

import io.azora.platform.Caller;
import io.azora.platform.CallerAssertion;
import io.azora.platform.RequestContext;
import io.azora.tutoring.TutoringService;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * One learner's socket to Elara ({@code GET /api/tutor/ws}): questions in, answers streamed out token by
 * token as tutoring sends them, one question at a time. Each token is acknowledged to tutoring only once
 * the socket has taken it, so a slow client slows its own answer and nothing else.
 */
final class TutorSocket extends LiveSocket {

  /** Tutoring's first token may take a model this long. */
  static final long ANSWER_TIMEOUT_MS = 30_000;
  private static final JsonObject ACK = new JsonObject().put("ack", true);

  private final int questionsPerMinute;
  private String answering;

  TutorSocket(Api api, ServerWebSocket ws, Caller caller, long tokenExpiresAt, int questionsPerMinute) {
    super(api, ws, caller, tokenExpiresAt);
    this.questionsPerMinute = questionsPerMinute;
  }

  @Override
  void onMessage(JsonObject message) {
    String id = idOf(message);
    if (!"ask".equals(message.getString("type"))) {
      error(id, 400, "validation_failed", "type must be ask (or auth)");
      return;
    }
    if (answering != null) {
      error(id, 429, "busy", "Elara is still answering " + answering + "; one question at a time");
      return;
    }
    answering = id == null ? "?" : id;
    api.count("tutor:" + caller.userId(), caller.sessionId(), questionsPerMinute, 60)
        .onFailure(err -> done(id, 503, "unavailable", "Elara cannot take questions now; try again"))
        .onSuccess(decision -> {
          if (decision.denied()) {
            ws.close((short) 1008, "Session ended");
          } else if (!decision.allowed()) {
            done(id, 429, "rate_limited", "At most " + questionsPerMinute + " questions a minute; wait "
                + decision.resetSeconds() + " s");
          } else {
            ask(id, message);
          }
        });
  }

  private void ask(String id, JsonObject message) {
    RequestContext.set(UUID.randomUUID().toString(), null);
    JsonObject question = new JsonObject().put("id", id).put("text", message.getValue("text"))
        .put("courseId", message.getValue("courseId")).put("lessonId", message.getValue("lessonId"));
    api.vertx().eventBus().<JsonObject>request(TutoringService.ASK_ADDRESS,
            new JsonObject().put("caller", caller.toJson()).put("question", question),
            CallerAssertion.asCaller(new DeliveryOptions().setSendTimeout(ANSWER_TIMEOUT_MS), caller))
        .onSuccess(reply -> take(id, reply))
        .onFailure(err -> done(id, 503, "unavailable", "Elara cannot answer now; try again"));
  }

  /** One message of the answer: a token (written, then acknowledged once the socket has room), done or error. */
  private void take(String id, Message<JsonObject> reply) {
    JsonObject body = reply.body();
    if (ws.isClosed()) {
      return;  // no acknowledgement: tutoring stops
    }
    switch (body.getString("type", "")) {
      case "token" -> {
        send(new JsonObject().put("type", "token").put("id", id).put("text", body.getString("text")));
        if (ws.writeQueueFull()) {
          ws.drainHandler(v -> acknowledge(id, reply));
        } else {
          acknowledge(id, reply);
        }
      }
      case "done" -> {
        answering = null;
        send(new JsonObject().put("type", "done").put("id", id).put("sources", body.getJsonArray("sources"))
            .put("mode", body.getString("mode")));
      }
      default -> {
        answering = null;
        send(body.copy().put("type", "error").put("id", id));
      }
    }
  }

  private void acknowledge(String id, Message<JsonObject> reply) {
    reply.<JsonObject>replyAndRequest(ACK, new DeliveryOptions().setSendTimeout(ANSWER_TIMEOUT_MS))
        .onSuccess(next -> take(id, next))
        .onFailure(err -> done(id, 503, "unavailable", "Elara stopped answering; ask again"));
  }

  private void done(String id, int status, String code, String message) {
    answering = null;
    error(id, status, code, message);
  }
}
