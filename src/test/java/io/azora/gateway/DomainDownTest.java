package io.azora.gateway;

import io.azora.support.HttpApi;
import io.azora.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With the auth domain nowhere on the bus, the gateway answers 503 problem+json at once, never 500 or a hang. */
@ExtendWith(VertxExtension.class)
class DomainDownTest {

  @Test
  void missingDomainIs503AndHealthSaysSo(Vertx vertx) {
    try (TestNode node = TestNode.start(new JsonObject().put("node", new JsonObject().put("verticles", "gateway")))) {
      HttpApi api = new HttpApi(vertx, node.port);
      for (int i = 0; i < 15; i++) {  // past the breaker's threshold: still the same clear answer
        long start = System.currentTimeMillis();
        api.post("/api/auth/register", null, new JsonObject().put("email", "d-" + UUID.randomUUID() + "@azora.test")
            .put("password", "violet-harbor-42").put("name", "D")).expectProblem(503, "service_unavailable");
        assertTrue(System.currentTimeMillis() - start < 2000, "fails fast");
      }
      // Without auth the gateway cannot load the signing keys: that is "try later", not "your token is bad".
      api.get("/api/auth/profile", "eyJhbGciOiJFUzI1NiIsImtpZCI6IngifQ.e30.sig").expectProblem(503, "service_unavailable");
      JsonObject health = api.get("/api/health", null).expect(503).json();
      assertEquals("unhealthy", health.getString("status"));
      assertEquals("down", health.getJsonObject("services").getString("auth"));
    }
  }
}
