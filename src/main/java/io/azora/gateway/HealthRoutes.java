package io.azora.gateway;

import io.azora.platform.NodeHealth;
import io.azora.platform.Services;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.List;

/**
 * {@code /api/health} (the platform as the gateway sees it: Redis and every domain over the bus),
 * {@code /health/live} and {@code /health/ready} (this node's own dependencies) for probes.
 */
final class HealthRoutes {

  private final Vertx vertx;
  private final List<String> domains;
  private final Bulkheads bulkheads;

  HealthRoutes(Vertx vertx, List<String> domains, int maxCallsPerDomain) {
    this.vertx = vertx;
    this.domains = domains;
    this.bulkheads = Bulkheads.of(vertx, maxCallsPerDomain);
  }

  void mount(Router router) {
    router.get("/api/health").handler(this::platform);
    router.get("/health/live").handler(ctx -> Api.send(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(ctx -> NodeHealth.respond(vertx, ctx));
  }

  private void platform(RoutingContext ctx) {
    JsonObject services = new JsonObject().put("gateway", "up");
    List<Future<Void>> checks = new java.util.ArrayList<>();
    checks.add(NodeHealth.of(vertx).check().map(node -> {
      services.put("redis", "UP".equals(node.getString("redis")) ? "up" : "down");
      return null;
    }));
    for (String domain : domains) {
      checks.add(vertx.eventBus().request(Services.healthAddress(domain), null, new DeliveryOptions().setSendTimeout(2000))
          .map(reply -> "up").otherwise("down")
          .map(status -> {
            services.put(domain, status);
            return null;
          }));
    }
    Future.join(checks).onComplete(ar -> {
      boolean redisUp = "up".equals(services.getString("redis"));
      long domainsUp = domains.stream().filter(d -> "up".equals(services.getString(d))).count();
      String status = redisUp && domainsUp == domains.size() ? "healthy"
          : !redisUp || domainsUp == 0 ? "unhealthy" : "degraded";
      Api.send(ctx, "unhealthy".equals(status) ? 503 : 200, new JsonObject().put("status", status)
          .put("services", services).put("bulkheads", bulkheads.describe()).put("timestamp", Instant.now().toString()));
    });
  }
}
