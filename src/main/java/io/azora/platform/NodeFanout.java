package io.azora.platform;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One event-bus consumer per node for a published address, handing each message to every local listener on
 * the listener's own context: a broadcast (a room's chat, a notification) crosses the cluster once per node,
 * not once per verticle or socket. The consumer lives as long as the node (on a context of its own), so a
 * listener that leaves, such as a stopping gateway verticle, loses nothing in flight and leaves no consumer
 * behind to log what was still on its way.
 */
public final class NodeFanout {

  private static final Map<Vertx, Map<String, List<Listener>>> NODES = new WeakHashMap<>();

  private record Listener(Context context, Handler<JsonObject> handler) {
  }

  /** What {@link #listen} returns: call it to stop listening. */
  @FunctionalInterface
  public interface Registration {
    void cancel();
  }

  private NodeFanout() {
  }

  /** Listens to {@code address} on this node; {@code handler} runs on the caller's context. */
  public static Registration listen(Vertx vertx, String address, Handler<JsonObject> handler) {
    Listener listener = new Listener(vertx.getOrCreateContext(), handler);
    List<Listener> listeners;
    synchronized (NODES) {
      Map<String, List<Listener>> node = NODES.computeIfAbsent(vertx, v -> new java.util.HashMap<>());
      listeners = node.get(address);
      if (listeners == null) {
        listeners = new CopyOnWriteArrayList<>();
        node.put(address, listeners);
        List<Listener> all = listeners;
        ((VertxInternal) vertx).createEventLoopContext().runOnContext(v ->
            vertx.eventBus().<JsonObject>consumer(address, msg -> {
              for (Listener l : all) {
                l.context().runOnContext(x -> l.handler().handle(msg.body()));
              }
            }));
      }
    }
    listeners.add(listener);
    List<Listener> registered = listeners;
    return () -> registered.remove(listener);
  }
}
