package io.azora.platform;

import io.azora.support.HttpApi;
import io.azora.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prometheus metrics on the management port: HTTP by route, event bus, pools, JVM; and the probes there. */
@ExtendWith(VertxExtension.class)
class MetricsTest {

  @Test
  void managementPortServesMetricsAndProbes(Vertx vertx) {
    int management = io.azora.support.TestInfra.freePort();
    try (TestNode node = TestNode.start(new JsonObject().put("management", new JsonObject().put("port", management)))) {
      HttpApi api = new HttpApi(vertx, node.port);
      String token = api.register("m-" + UUID.randomUUID() + "@azora.test", "violet-harbor-42", "Max", null)
          .getString("accessToken");
      api.get("/api/auth/profile", token).expect(200);

      HttpApi ops = new HttpApi(vertx, management);
      String metrics = ops.get("/metrics", null).expect(200).body().toString();
      assertTrue(metrics.contains("vertx_http_server_requests_total{") && metrics.contains("route=\"/api/auth/profile\""),
          "HTTP server metrics by route");
      assertTrue(metrics.contains("vertx_eventbus_"), "event bus metrics");
      assertTrue(metrics.contains("vertx_pool_") || metrics.contains("vertx_sql_"), "pool metrics");
      assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics");
      ops.get("/health/live", null).expect(200);
      assertTrue(ops.get("/health/ready", null).expect(200).json().getJsonObject("checks").containsKey("redis"));
    }
  }
}
