package io.azora.gateway;

import io.azora.platform.Caller;
import io.azora.platform.RequestContext;
import io.azora.tutoring.TutoringService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One learner's socket to Elara ({@code GET /api/tutor/ws}): questions in, answers streamed out token by
 * token as tutoring sends them, one question at a time. Each token is acknowledged to tutoring only once
 * the socket has taken it, so a slow client slows its own answer and nothing else. Heartbeats: a ping
 * every {@link #PING_MS}; no pong for {@link #SILENCE_MS} closes the socket.
 */
final class TutorSocket {

  static final long PING_MS = 25_000;
  static final long SILENCE_MS = 60_000;
  /** Tutoring's first token may take a model this long. */
  static final long ANSWER_TIMEOUT_MS = 30_000;
  private static final JsonObject ACK = new JsonObject().put("ack", true);

  private final Api api;
  private final ServerWebSocket ws;
  private final Caller caller;
  private final int questionsPerMinute;
  private final int maxMessageBytes;
  private String answering;
  private long lastPong = System.currentTimeMillis();
  private long heartbeat;

  TutorSocket(Api api, ServerWebSocket ws, Caller caller, int questionsPerMinute, int maxMessageBytes) {
    this.api = api;
    this.ws = ws;
    this.caller = caller;
    this.questionsPerMinute = questionsPerMinute;
    this.maxMessageBytes = maxMessageBytes;
  }

  void start() {
    if (!api.sockets().add(caller.sessionId(), ws)) {
      ws.close((short) 1008, "Too many sockets for this session");
      return;
    }
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> error(null, 400, "validation_failed", "Send JSON text messages"));
    ws.pongHandler(b -> lastPong = System.currentTimeMillis());
    heartbeat = api.vertx().setPeriodic(PING_MS, id -> {
      if (System.currentTimeMillis() - lastPong > SILENCE_MS) {
        ws.close((short) 1001, "No pong");
      } else {
        ws.writePing(Buffer.buffer());
      }
    });
    ws.closeHandler(v -> {
      api.vertx().cancelTimer(heartbeat);
      api.sockets().remove(caller.sessionId(), ws);
    });
  }

  private void onText(String text) {
    if (text.length() > maxMessageBytes || text.getBytes(StandardCharsets.UTF_8).length > maxMessageBytes) {
      ws.close((short) 1009, "Message larger than " + maxMessageBytes + " bytes");
      return;
    }
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      error(null, 400, "malformed", "Each message is one JSON object");
      return;
    }
    String id = message.getValue("id") instanceof String s && s.length() <= 64 ? s : null;
    if (!"ask".equals(message.getString("type"))) {
      error(id, 400, "validation_failed", "type must be ask");
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
            new DeliveryOptions().setSendTimeout(ANSWER_TIMEOUT_MS))
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
        ws.writeTextMessage(new JsonObject().put("type", "token").put("id", id).put("text", body.getString("text")).encode());
        if (ws.writeQueueFull()) {
          ws.drainHandler(v -> acknowledge(id, reply));
        } else {
          acknowledge(id, reply);
        }
      }
      case "done" -> {
        answering = null;
        ws.writeTextMessage(new JsonObject().put("type", "done").put("id", id).put("sources", body.getJsonArray("sources"))
            .put("mode", body.getString("mode")).encode());
      }
      default -> {
        answering = null;
        ws.writeTextMessage(body.copy().put("type", "error").put("id", id).encode());
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

  private void error(String id, int status, String code, String message) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(new JsonObject().put("type", "error").put("id", id).put("status", status).put("code", code)
          .put("message", message).encode());
    }
  }
}
