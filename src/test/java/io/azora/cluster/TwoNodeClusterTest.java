package io.azora.cluster;

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

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
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

  static Process authNode;
  static Path authLog;
  static TestNode gateway;
  static String prefix;

  @BeforeAll
  static void startCluster() throws Exception {
    prefix = TestNode.newPrefix();
    String clusterName = "azora-test-" + UUID.randomUUID();
    JsonObject shared = TestInfra.overrides(prefix);
    JsonObject db = shared.getJsonObject("database");

    authLog = Files.createTempFile("azora-auth-node", ".log");
    ProcessBuilder pb = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
        "io.azora.platform.Main", "--cluster")
        .redirectErrorStream(true).redirectOutput(authLog.toFile());
    Map<String, String> env = pb.environment();
    env.put("AZORA_VERTICLES", "auth");
    env.put("AZORA_NODE_CLUSTER_NAME", clusterName);
    env.put("AZORA_MANAGEMENT_PORT", "0");
    env.put("AZORA_DATABASE_HOST", db.getString("host"));
    env.put("AZORA_DATABASE_PORT", String.valueOf(db.getInteger("port")));
    env.put("AZORA_DATABASE_AUTH", db.getString("auth"));
    env.put("AZORA_REDIS_URL", shared.getJsonObject("redis").getString("url"));
    env.put("AZORA_REDIS_KEY_PREFIX", shared.getJsonObject("redis").getString("keyPrefix"));
    authNode = pb.start();

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
      authNode.destroy();  // SIGTERM: the node drains and leaves the cluster
      if (!authNode.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        authNode.destroyForcibly();
      }
    }
    TestInfra.dropDatabases(prefix);
  }

  static String javaBin() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
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
      line = Files.readAllLines(authLog).stream()
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
      assertTrue(authNode.isAlive(), () -> "auth node died: " + readLog());
      JsonObject health = api.get("/api/health", null).json();
      if ("up".equals(health.getJsonObject("services").getString("auth"))) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("auth node never became reachable over the cluster: " + readLog());
  }

  static String readLog() {
    try {
      return Files.readString(authLog);
    } catch (Exception e) {
      return e.toString();
    }
  }
}
