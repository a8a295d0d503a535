package io.azora.gateway;

import io.azora.platform.NodeFanout;
import io.azora.tutoring.TutoringService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * This gateway verticle's notification sockets, by user, fed by the node's one consumer of tutoring's
 * notifications ({@link NodeFanout}; each is published once, to every node): whichever node made a
 * notification, the user's sockets on every node get it.
 */
final class NotificationFanout {

  private final Map<String, Set<NotificationSocket>> byUser = new HashMap<>();
  private final NodeFanout.Registration listening;

  NotificationFanout(Vertx vertx) {
    listening = NodeFanout.listen(vertx, TutoringService.NOTIFICATIONS_ADDRESS, body -> {
      Set<NotificationSocket> sockets = byUser.get(body.getString("userId"));
      if (sockets != null) {
        String encoded = body.getJsonObject("notification").encode();
        new ArrayList<>(sockets).forEach(s -> s.offer(encoded));
      }
    });
  }

  void add(NotificationSocket socket) {
    byUser.computeIfAbsent(socket.caller.userId(), u -> new LinkedHashSet<>()).add(socket);
  }

  void remove(NotificationSocket socket) {
    Set<NotificationSocket> sockets = byUser.get(socket.caller.userId());
    if (sockets != null && sockets.remove(socket) && sockets.isEmpty()) {
      byUser.remove(socket.caller.userId());
    }
  }

  /** Forgets the sockets (already closed) and stops listening. */
  Future<Void> close() {
    listening.cancel();
    byUser.clear();
    return Future.succeededFuture();
  }
}
