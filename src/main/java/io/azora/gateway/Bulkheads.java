package io.azora.gateway;

import io.azora.platform.NodeMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded number of calls in flight from this gateway node to each domain ({@code http.maxCallsPerDomain}):
 * when a domain is slow, its calls fill their own compartment and the excess is answered 503 with
 * Retry-After at once, instead of a queue that grows until every request times out, and the other domains'
 * calls are untouched. Shared by the node's gateway verticles; counted in metrics and shown in /api/health.
 */
final class Bulkheads {

  /** Per node (a test JVM runs several): weak, so a closed node's go with it. */
  private static final Map<Vertx, Bulkheads> PER_VERTX = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private final int limit;
  private final MeterRegistry registry;
  private final Map<String, Compartment> compartments = new ConcurrentHashMap<>();

  private record Compartment(AtomicInteger inFlight, Counter rejected) {
  }

  private Bulkheads(int limit, MeterRegistry registry) {
    this.limit = limit;
    this.registry = registry;
  }

  static Bulkheads of(Vertx vertx, int limit) {
    return PER_VERTX.computeIfAbsent(vertx, v -> new Bulkheads(limit, NodeMetrics.of(v)));
  }

  /** Takes a place for a call to {@code domain}; false when all are taken (the caller answers 503). */
  boolean enter(String domain) {
    Compartment c = compartment(domain);
    if (c.inFlight().incrementAndGet() > limit) {
      c.inFlight().decrementAndGet();
      c.rejected().increment();
      return false;
    }
    return true;
  }

  void leave(String domain) {
    compartment(domain).inFlight().decrementAndGet();
  }

  /** {domain: {inFlight, limit, rejected}} for /api/health. */
  JsonObject describe() {
    JsonObject out = new JsonObject();
    compartments.forEach((domain, c) -> out.put(domain, new JsonObject().put("inFlight", c.inFlight().get())
        .put("limit", limit).put("rejected", (long) c.rejected().count())));
    return out;
  }

  private Compartment compartment(String domain) {
    return compartments.computeIfAbsent(domain, d -> {
      AtomicInteger inFlight = new AtomicInteger();
      Gauge.builder("azora.gateway.calls.in.flight", inFlight, AtomicInteger::get)
          .description("Calls from this gateway node to a domain awaiting its answer").tag("domain", d)
          .register(registry);
      Counter rejected = Counter.builder("azora.gateway.calls.rejected")
          .description("Calls refused at once because the domain's compartment was full").tag("domain", d)
          .register(registry);
      return new Compartment(inFlight, rejected);
    });
  }
}
