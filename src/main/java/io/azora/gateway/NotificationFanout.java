package io.azora.gateway;

import io.azora.tutoring.TutoringService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * This gateway verticle's notification sockets, by user, fed by one consumer of tutoring's notifications
 * (published once each, to every gateway): whichever node made a notification, the user's sockets on
 * every node get it.
 */
final class NotificationFanout {

  private final Map<String, Set<NotificationSocket>> byUser = new HashMap<>();
  private final MessageConsumer<JsonObject> consumer;

  NotificationFanout(Vertx vertx) {
    consumer = vertx.eventBus().consumer(TutoringService.NOTIFICATIONS_ADDRESS, msg -> {
      Set<NotificationSocket> sockets = byUser.get(msg.body().getString("userId"));
      if (sockets != null) {
        String encoded = msg.body().getJsonObject("notification").encode();
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

  Future<Void> close() {
    byUser.clear();
    return consumer.unregister();
  }
}
