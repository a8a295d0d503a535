package io.azora.gateway;

import io.azora.auth.AuthVerticle;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A gateway that started before any auth was reachable (verticles deploy side by side; auth may be on a
 * node still starting) answers 503 while the signing keys cannot be had, and verifies tokens as soon as
 * auth is there: a load that failed at once used to stay "the load" for good, and every request after it
 * was 503 until the gateway restarted.
 */
class SigningKeysLaterTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject()
      .put("node", new JsonObject().put("verticles", "gateway")));

  @Test
  void tokensVerifyOnceAuthArrives(HttpApi api) throws Exception {
    // Shaped like an ES256 access token with a key id the gateway does not know: it asks auth for the keys.
    String unknown = "eyJhbGciOiJFUzI1NiIsImtpZCI6Im5vdC15ZXQifQ.eyJzdWIiOiJ4In0.c2ln";
    api.get("/api/auth/profile", unknown).expectProblem(503, "service_unavailable");
    api.get("/api/auth/profile", unknown).expectProblem(503, "service_unavailable");

    node.node().vertx().deployVerticle(AuthVerticle.class, new DeploymentOptions().setConfig(node.node().config))
        .await(60, TimeUnit.SECONDS);
    String email = "later-" + UUID.randomUUID() + "@azora.test";
    api.register(email, "violet-harbor-42", "Later", null);
    String token = api.login(email, "violet-harbor-42").getString("accessToken");
    assertEquals(email, api.get("/api/auth/profile", token).expect(200).json().getString("email"));
  }
}
