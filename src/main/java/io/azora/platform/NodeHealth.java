package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Readiness of this node: every verticle registers what it depends on (its database, Redis, the
 * cluster), and the probes ask them all. One registry per Vert.x instance.
 */
public final class NodeHealth {

  private static final Map<Vertx, NodeHealth> PER_VERTX = new ConcurrentHashMap<>();
  private static final long CHECK_TIMEOUT_MS = Duration.ofSeconds(2).toMillis();

  private final Map<String, Supplier<Future<?>>> checks = new ConcurrentHashMap<>();

  private NodeHealth() {
  }

  public static NodeHealth of(Vertx vertx) {
    return PER_VERTX.computeIfAbsent(vertx, v -> new NodeHealth());
  }

  public static void forget(Vertx vertx) {
    PER_VERTX.remove(vertx);
  }

  public void register(String name, Supplier<Future<?>> check) {
    checks.put(name, check);
  }

  public void unregister(String name) {
    checks.remove(name);
  }

  /** {name: "UP"|"DOWN"} for every registered check, each bounded by a timeout. */
  public Future<JsonObject> check() {
    JsonObject out = new JsonObject();
    var futures = checks.entrySet().stream().map(e -> e.getValue().get()
        .timeout(CHECK_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
        .map(v -> "UP").otherwise("DOWN")
        .onSuccess(status -> {
          synchronized (out) {
            out.put(e.getKey(), status);
          }
        })).toList();
    return Future.join(futures).otherwiseEmpty().map(v -> out);
  }

  /** Answers a readiness probe: 200 with every check UP, else 503. */
  public static void respond(Vertx vertx, io.vertx.ext.web.RoutingContext ctx) {
    of(vertx).check().onSuccess(checks -> {
      boolean up = allUp(checks);
      ctx.response().setStatusCode(up ? 200 : 503);
      ctx.json(new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks));
    });
  }

  public static boolean allUp(JsonObject statuses) {
    return statuses.stream().allMatch(e -> "UP".equals(e.getValue()));
  }
}
