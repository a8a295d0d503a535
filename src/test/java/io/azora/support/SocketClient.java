package io.azora.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A real WebSocket client of the API for tests: every text message the server sends is queued. */
public final class SocketClient {

  public final WebSocket ws;
  /** Held as long as the socket: a client nothing refers to may be collected, its connections with it. */
  private final WebSocketClient client;
  private final LinkedBlockingQueue<JsonObject> queue = new LinkedBlockingQueue<>();
  /** The close code and reason, once the server closed it. */
  public volatile Short closedWith;
  public volatile String closeReason;

  private SocketClient(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(text -> queue.add(new JsonObject(text)));
    ws.closeHandler(v -> {
      closedWith = ws.closeStatusCode() == null ? 1006 : ws.closeStatusCode();  // 1006: no close frame came
      closeReason = ws.closeReason();
    });
  }

  /** Connects to {@code path} on 127.0.0.1:{@code port} with {@code ?token=}. */
  public static SocketClient connect(Vertx vertx, int port, String path, String token) throws Exception {
    return connect(vertx, new WebSocketClientOptions(), port, path, token);
  }

  /** {@link #connect} with a client of {@code options} (e.g. a small receive buffer). */
  public static SocketClient connect(Vertx vertx, WebSocketClientOptions options, int port, String path, String token)
      throws Exception {
    try {
      // Handlers set on the socket's event loop as it opens, or a message sent at once could be missed.
      WebSocketClient client = vertx.createWebSocketClient(options);
      return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
              .setPort(port).setURI(path + (token == null ? "" : "?token=" + token)))
          .map(ws -> new SocketClient(client, ws))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The status an upgrade was refused with (connecting must fail). */
  public static int refusal(Vertx vertx, int port, String path, String token) throws Exception {
    try {
      connect(vertx, port, path, token).close();
    } catch (UpgradeRejectedException e) {
      return e.getStatus();
    }
    throw new AssertionError("the upgrade to " + path + " was accepted");
  }

  /**
   * Connects, retrying while the upgrade is refused with 403 or 404 (what another domain's event has yet to
   * tell the socket's owner, e.g. an enrolment), for up to 20 s.
   */
  public static SocketClient connectWhenAdmitted(Vertx vertx, int port, String path, String token) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      try {
        return connect(vertx, port, path, token);
      } catch (UpgradeRejectedException e) {
        if (e.getStatus() != 403 && e.getStatus() != 404 || System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  public void send(JsonObject message) {
    ws.writeTextMessage(message.encode());
  }

  /** The next message of {@code type}, skipping others, within {@code seconds}. */
  public JsonObject next(String type, int seconds) throws InterruptedException {
    return next(m -> type.equals(m.getString("type")), seconds, type);
  }

  /** The next message matching {@code wanted}, skipping others. */
  public JsonObject next(Predicate<JsonObject> wanted, int seconds, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    List<JsonObject> skipped = new ArrayList<>();
    while (true) {
      long left = deadline - System.currentTimeMillis();
      JsonObject m = left <= 0 ? null : queue.poll(left, TimeUnit.MILLISECONDS);
      assertNotNull(m, () -> "no " + what + " within " + seconds + " s; skipped " + skipped);
      if (wanted.test(m)) {
        return m;
      }
      skipped.add(m);
    }
  }

  /** How many queued messages match (and drops every queued message). */
  public int count(Predicate<JsonObject> wanted) {
    List<JsonObject> all = new ArrayList<>();
    queue.drainTo(all);
    return (int) all.stream().filter(wanted).count();
  }

  /** Waits for the server to close the socket: its close code. */
  public short awaitClose(int seconds) throws InterruptedException {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (closedWith == null && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertNotNull(closedWith, "closed within " + seconds + " s");
    return closedWith;
  }

  public void close() {
    ws.close().eventually(client::close);
  }
}
