package io.azora.gateway;

import io.azora.platform.Caller;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * What every socket of the API does alike: it is counted against its session (closed at once when the
 * session is revoked, 1001 when this gateway stops), heartbeats (a ping every {@link #PING_MS}; no pong
 * for {@link #SILENCE_MS} closes it), a message over the size limit closes it with 1009, one that is not a
 * JSON object is answered with an {@code error}, and it closes (1008) when its access token expires unless
 * the client renews it first with {@code {"type":"auth","token"}} (the same user's and session's newer
 * token). The rest is each socket's own: {@link #onMessage}.
 */
abstract class LiveSocket {

  static final long PING_MS = 25_000;
  static final long SILENCE_MS = 60_000;
  /** Bytes a socket may have unsent before a broadcast to it drops it as too slow. */
  static final int WRITE_QUEUE_BYTES = 256 * 1024;

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LiveSocket.class);

  final Api api;
  final ServerWebSocket ws;
  final Caller caller;
  private final int maxMessageBytes;
  private long expiresAt;
  private long lastPong = System.currentTimeMillis();
  private long heartbeat;
  private long expiry = -1;
  private boolean dropped;
  /** How the session registry closes this socket (one instance, so it can be removed again). */
  private final Sockets.Closer closer;

  LiveSocket(Api api, ServerWebSocket ws, Caller caller, long tokenExpiresAt) {
    this.api = api;
    this.ws = ws;
    this.caller = caller;
    this.maxMessageBytes = GatewayVerticle.webSocketMaxMessageBytes(api.rawConfig());
    this.expiresAt = tokenExpiresAt;
    this.closer = ws::close;
    ws.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
  }

  /** Takes the socket over; false (and closed) if its session already holds too many. */
  final boolean start() {
    if (!api.sockets().add(caller.sessionId(), closer)) {
      ws.close((short) 1008, "Too many sockets for this session");
      return false;
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
    armExpiry();
    ws.closeHandler(v -> {
      api.vertx().cancelTimer(heartbeat);
      api.vertx().cancelTimer(expiry);
      api.sockets().remove(caller.sessionId(), closer);
      onClosed();
    });
    return true;
  }

  /**
   * A broadcast (a room's message, a notification), encoded once for all its sockets: written, unless this
   * socket is {@link #WRITE_QUEUE_BYTES} behind, when it is dropped (1013) rather than waited for.
   */
  final void offer(String encoded) {
    if (dropped || ws.isClosed()) {
      return;
    }
    if (ws.writeQueueFull()) {
      dropped = true;
      onClosed();  // nothing more for it, even before its close completes
      log.info("Dropped a socket of {}: {} bytes behind", caller.userId(), WRITE_QUEUE_BYTES);
      ws.close((short) 1013, "Too slow; reconnect");
      return;
    }
    ws.writeTextMessage(encoded);
  }

  /** A JSON message of the client's, other than {@code auth}. */
  abstract void onMessage(JsonObject message);

  /** The socket closed, for whatever reason, or was dropped (then called twice: it must not mind). */
  void onClosed() {
  }

  final void send(JsonObject message) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(message.encode());
    }
  }

  final void error(String id, int status, String code, String message) {
    send(new JsonObject().put("type", "error").put("id", id).put("status", status).put("code", code)
        .put("message", message));
  }

  /** A domain's refusal (its status and code) or unavailability (503), as an {@code error} message. */
  final void failed(String id, Throwable err) {
    if (err instanceof ServiceException se && se.failureCode() >= 400 && se.failureCode() < 500) {
      String code = se.getDebugInfo() == null ? null : se.getDebugInfo().getString("code");
      error(id, se.failureCode(), code == null ? "refused" : code, se.getMessage());
    } else {
      error(id, 503, "unavailable", "Not available now; try again shortly");
    }
  }

  /** The client's message id, when it is a short string (echoed in answers). */
  static String idOf(JsonObject message) {
    return message.getValue("id") instanceof String s && s.length() <= 64 ? s : null;
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
    if ("auth".equals(message.getString("type"))) {
      renew(idOf(message), message.getValue("token"));
    } else {
      onMessage(message);
    }
  }

  private void renew(String id, Object token) {
    if (!(token instanceof String t) || t.isBlank() || t.length() > 8192) {
      error(id, 400, "validation_failed", "token must be an access token");
      return;
    }
    api.verify(t).onComplete(ar -> {
      if (ar.failed() || !caller.userId().equals(ar.result().userId())
          || !Objects.equals(caller.sessionId(), ar.result().sessionId())) {
        error(id, 401, "unauthorized", "Not a current access token of this session");
        return;
      }
      if (!Set.copyOf(caller.roles()).equals(Set.copyOf(ar.result().roles()))) {
        // What this socket does is signed with the roles it opened with: changed roles need a new socket.
        ws.close((short) 1008, "Roles changed: connect again");
        return;
      }
      expiresAt = Math.max(expiresAt, api.tokenExpiresAt(t));
      armExpiry();
      send(new JsonObject().put("type", "auth").put("id", id).put("expiresAt", Instant.ofEpochSecond(expiresAt).toString()));
    });
  }

  private void armExpiry() {
    api.vertx().cancelTimer(expiry);
    long delay = expiresAt * 1000 - System.currentTimeMillis();
    if (expiresAt <= 0) {
      return;  // not known (a token not verified here): the session's revocation still closes it
    }
    expiry = api.vertx().setTimer(Math.max(1, delay), id -> ws.close((short) 1008, "Access token expired"));
  }
}
