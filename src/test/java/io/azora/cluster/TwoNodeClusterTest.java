package io.azora.cluster;

import io.azora.support.ChildNode;
import io.azora.support.HttpApi;
import io.azora.support.TestInfra;
import io.azora.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two JVMs in one Hazelcast cluster: this one runs only the gateway, a child process runs only auth.
 * Register and login cross the clustered event bus, and the request id reaches the other JVM's logs.
 */
@ExtendWith(VertxExtension.class)
class TwoNodeClusterTest {

  static ChildNode authNode;
  static TestNode gateway;
  static String prefix;

  @BeforeAll
  static void startCluster() throws Exception {
    prefix = TestNode.newPrefix();
    String clusterName = "azora-test-" + UUID.randomUUID();
    authNode = ChildNode.start(prefix, 0, Map.of("AZORA_VERTICLES", "auth", "AZORA_NODE_CLUSTER_NAME", clusterName),
        "--cluster");

    int port = TestInfra.freePort();
    JsonObject config = TestNode.config(prefix, port, new JsonObject()
        .put("node", new JsonObject().put("cluster", true).put("clusterName", clusterName).put("verticles", "gateway")));
    gateway = TestNode.start(prefix, config, false);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (authNode != null) {
      authNode.close();  // SIGTERM: the node drains and leaves the cluster
    }
    TestInfra.dropDatabases(prefix);
  }

  @Test
  void registerAndLoginCrossTheClusteredBus(Vertx vertx) throws Exception {
    HttpApi api = new HttpApi(vertx, gateway.port);
    awaitAuthUp(api);

    String email = "cluster-" + UUID.randomUUID() + "@azora.test";
    String requestId = "cluster-req-" + UUID.randomUUID();
    JsonObject registered = api.send(HttpMethod.POST, "/api/auth/register", null,
        new JsonObject().put("email", email).put("password", "violet-harbor-42").put("name", "Nina").toBuffer(),
        Map.of("X-Request-Id", requestId)).expect(201).json();
    JsonObject login = api.login(email, "violet-harbor-42");
    assertEquals(registered.getJsonObject("user").getString("id"), login.getJsonObject("user").getString("id"));
    assertEquals(email, api.get("/api/auth/profile", login.getString("accessToken")).expect(200).json().getString("email"));

    // The auth node logged the registration with the gateway's request id, in JSON.
    long deadline = System.currentTimeMillis() + 5000;
    String line = null;
    while (line == null && System.currentTimeMillis() < deadline) {
      line = Files.readAllLines(authNode.log).stream()
          .filter(l -> l.contains("\"requestId\":\"" + requestId + "\"") && l.contains("Registered user")).findFirst()
          .orElse(null);
      Thread.sleep(100);
    }
    assertTrue(line != null, "auth node's log has the request id");
    assertEquals("INFO", new JsonObject(line).getString("level"));
  }

  static void awaitAuthUp(HttpApi api) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < deadline) {
      assertTrue(authNode.process.isAlive(), () -> "auth node died: " + authNode.log());
      JsonObject health = api.get("/api/health", null).json();
      if ("up".equals(health.getJsonObject("services").getString("auth"))) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("auth node never became reachable over the cluster: " + authNode.log());
  }
}
