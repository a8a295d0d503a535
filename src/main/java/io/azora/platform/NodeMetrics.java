package io.azora.platform;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The meter registry of the node a Vert.x instance belongs to (its Prometheus registry), for Azora's own metrics. */
public final class NodeMetrics {

  private static final Map<Vertx, MeterRegistry> PER_VERTX = new ConcurrentHashMap<>();
  /** For a Vert.x that no Node started (tools, some tests): counted, just not scraped. */
  private static final MeterRegistry UNSCRAPED = new SimpleMeterRegistry();

  private NodeMetrics() {
  }

  static void register(Vertx vertx, MeterRegistry registry) {
    PER_VERTX.put(vertx, registry);
  }

  static void forget(Vertx vertx) {
    PER_VERTX.remove(vertx);
  }

  public static MeterRegistry of(Vertx vertx) {
    return PER_VERTX.getOrDefault(vertx, UNSCRAPED);
  }
}
