package io.azora.gateway;

import io.azora.auth.IdentityService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This gateway verticle's open WebSockets, by session: a session auth revokes (logout, revoke, reset) has
 * its sockets closed at once (1008), wherever it was revoked, since auth publishes each revocation
 * cluster-wide; a gateway that stops closes its sockets with 1001, so clients reconnect to another node.
 * One consumer per gateway verticle, whatever the number of sockets.
 */
final class Sockets {

  /** An open socket of any kind (a WebSocket, a bridge connection), as this registry closes it. */
  @FunctionalInterface
  interface Closer {
    Future<Void> close(short code, String reason);
  }

  private final Map<String, Set<Closer>> bySession = new HashMap<>();
  private final MessageConsumer<JsonObject> revocations;

  Sockets(Vertx vertx) {
    revocations = vertx.eventBus().consumer(IdentityService.SESSIONS_REVOKED, msg -> {
      JsonArray ids = msg.body().getJsonArray("sessionIds", new JsonArray());
      for (Object id : ids) {
        Set<Closer> sockets = bySession.remove(String.valueOf(id));
        if (sockets != null) {
          new ArrayList<>(sockets).forEach(ws -> ws.close((short) 1008, "Session ended"));
        }
      }
    });
  }

  /** Sockets one session may hold on one gateway verticle (a tab each; more is a leak or an attack). */
  static final int PER_SESSION = 16;

  /** Keeps {@code ws} until {@link #remove} (its close handler calls it); false if the session has too many. */
  boolean add(String sessionId, Closer ws) {
    Set<Closer> sockets = bySession.computeIfAbsent(sessionId, s -> new java.util.HashSet<>());
    if (sockets.size() >= PER_SESSION) {
      return false;
    }
    sockets.add(ws);
    return true;
  }

  void remove(String sessionId, Closer ws) {
    Set<Closer> sockets = bySession.get(sessionId);
    if (sockets != null && sockets.remove(ws) && sockets.isEmpty()) {
      bySession.remove(sessionId);
    }
  }

  /** Closes every socket with 1001 (going away): this gateway is stopping. */
  Future<Void> closeAll() {
    List<Future<Void>> closing = new ArrayList<>();
    for (Set<Closer> sockets : new ArrayList<>(bySession.values())) {
      for (Closer ws : new ArrayList<>(sockets)) {
        closing.add(ws.close((short) 1001, "Server shutting down"));
      }
    }
    bySession.clear();
    return Future.join(closing).<Void>mapEmpty().recover(err -> Future.succeededFuture())
        .compose(v -> revocations.unregister());
  }
}
