package io.azora.cluster;

import io.azora.support.HttpApi;
import io.azora.support.TestInfra;
import io.azora.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM drains a node: requests in flight finish with their real answer, then the process exits. */
@ExtendWith(VertxExtension.class)
class GracefulShutdownTest {

  @Test
  void sigtermFinishesRequestsInFlight(Vertx vertx) throws Exception {
    String prefix = TestNode.newPrefix();
    JsonObject shared = TestInfra.overrides(prefix);
    int port = TestInfra.freePort();
    Path log = Files.createTempFile("azora-node", ".log");
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "-cp", System.getProperty("java.class.path"), "io.azora.platform.Main")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("AZORA_HTTP_PORT", String.valueOf(port));
    env.put("AZORA_MANAGEMENT_PORT", "0");
    env.put("AZORA_DATABASE_HOST", shared.getJsonObject("database").getString("host"));
    env.put("AZORA_DATABASE_PORT", String.valueOf(shared.getJsonObject("database").getInteger("port")));
    env.put("AZORA_DATABASE_AUTH", prefix + "auth");
    env.put("AZORA_REDIS_URL", shared.getJsonObject("redis").getString("url"));
    env.put("AZORA_REDIS_KEY_PREFIX", prefix + ":");
    env.put("AZORA_RATE_LIMIT_LOGIN_PER_IP", "100000");
    env.put("AZORA_AUTH_LOGIN_FAILURES_BEFORE_THROTTLE", "1000");  // 24 logins at once to one account
    Process node = pb.start();
    try {
      HttpApi api = new HttpApi(vertx, port);
      long deadline = System.currentTimeMillis() + 90_000;
      while (true) {
        assertTrue(node.isAlive(), () -> "node died: " + read(log));
        try {
          if (api.get("/api/health", null).status() == 200) {
            break;
          }
        } catch (AssertionError notYet) {
          // not listening yet
        }
        assertTrue(System.currentTimeMillis() < deadline, "node did not start");
        Thread.sleep(200);
      }
      api.register("drain@azora.test", "violet-harbor-42", "Drain", null);

      // Logins cost ~40 ms of argon2 each: 24 at once keep the node busy well past the SIGTERM.
      WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false),
          new io.vertx.core.http.PoolOptions().setHttp1MaxSize(32));
      JsonObject body = new JsonObject().put("email", "drain@azora.test").put("password", "violet-harbor-42");
      List<Future<long[]>> logins = new ArrayList<>();  // {status, completion time}
      for (int i = 0; i < 24; i++) {
        logins.add(client.post(port, "127.0.0.1", "/api/auth/login").sendJsonObject(body)
            .map(r -> new long[] {r.statusCode(), System.currentTimeMillis()}));
      }
      Thread.sleep(150);
      long sigterm = System.currentTimeMillis();
      node.destroy();
      Future.join(logins).otherwiseEmpty().await(60, TimeUnit.SECONDS);
      long finishedAfterSigterm = logins.stream()
          .filter(f -> f.succeeded() && f.result()[0] == 200 && f.result()[1] > sigterm).count();
      List<String> others = logins.stream().filter(f -> f.failed() || f.result()[0] != 200)
          .map(f -> f.failed() ? f.cause().toString() : "HTTP " + f.result()[0]).toList();
      assertTrue(finishedAfterSigterm > 0, "logins in flight at SIGTERM completed with 200");
      assertTrue(others.isEmpty(), "every request sent before SIGTERM got its answer: " + others);
      assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node exits after draining");
      String output = read(log);
      assertTrue(output.contains("Shutting down"), output);
      assertTrue(System.currentTimeMillis() - sigterm < 30_000);
    } finally {
      node.destroyForcibly();
      TestInfra.dropDatabases(prefix);
    }
  }

  static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (Exception e) {
      return e.toString();
    }
  }
}
