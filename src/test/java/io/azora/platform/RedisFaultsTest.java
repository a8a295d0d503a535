package io.azora.platform;

import io.azora.support.HttpApi;
import io.azora.support.HttpApi.Response;
import io.azora.support.TestInfra;
import io.azora.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis faults, with Redis servers this test owns: a Redis that accepts connections and never answers
 * (frozen, cut off) costs each request at most the configured timeout and a clear 503, never a hang; a
 * Redis restarted empty gets the session deny-list back from auth's database, so a logout is not undone.
 */
@ExtendWith(VertxExtension.class)
class RedisFaultsTest {

  /** Accepts connections and reads whatever is sent, never answering a byte. */
  static final class FrozenRedis implements AutoCloseable {
    final ServerSocket server;
    final List<Socket> clients = new CopyOnWriteArrayList<>();

    FrozenRedis() throws IOException {
      server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            clients.add(s);
            Thread reader = new Thread(() -> drain(s));
            reader.setDaemon(true);
            reader.start();
          } catch (IOException closed) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    static void drain(Socket s) {
      try (InputStream in = s.getInputStream()) {
        while (in.read(new byte[4096]) >= 0) {
          // swallow
        }
      } catch (IOException closed) {
        // done
      }
    }

    String url() {
      return "redis://127.0.0.1:" + server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : clients) {
        s.close();
      }
    }
  }

  @Test
  void aFrozenRedisCostsEachRequestATimeoutAndA503(Vertx vertx) throws Exception {
    try (FrozenRedis frozen = new FrozenRedis();
         TestNode node = TestNode.start(new JsonObject().put("redis", new JsonObject().put("url", frozen.url())
             .put("timeoutMs", 300)))) {
      HttpApi api = new HttpApi(vertx, node.port);
      for (String path : List.of("/api/courses", "/api/mining/stats")) {
        long started = System.nanoTime();
        Response response = api.get(path, null);
        long ms = (System.nanoTime() - started) / 1_000_000;
        response.expectProblem(503, "service_unavailable");
        assertTrue(ms < 3_000, path + " took " + ms + " ms");
      }
      long started = System.nanoTime();
      api.post("/api/auth/login", null, new JsonObject().put("email", "a@azora.test").put("password", "whatever-it-is"))
          .expectProblem(503, "service_unavailable");
      assertTrue((System.nanoTime() - started) / 1_000_000 < 3_000);
      assertTrue(frozen.clients.size() > 0, "the node did talk to this Redis");
    }
  }

  @Test
  void aLogoutSurvivesRedisRestartingEmpty(Vertx vertx) throws Exception {
    int port = TestInfra.freePort();
    RedisServer redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"")
        .setting("appendonly no").build();
    redis.start();
    try (TestNode node = TestNode.start(new JsonObject().put("redis", new JsonObject()
        .put("url", "redis://127.0.0.1:" + port).put("timeoutMs", 500)))) {
      HttpApi api = new HttpApi(vertx, node.port);
      String email = "gone-" + UUID.randomUUID() + "@azora.test";
      String loggedOut = api.register(email, "violet-harbor-42", "Gone", null).getString("accessToken");
      String other = api.login(email, "violet-harbor-42").getString("accessToken");
      api.post("/api/auth/logout", loggedOut, null).expect(204);
      api.get("/api/auth/profile", loggedOut).expectProblem(401, "unauthorized");

      // Redis goes away: quick 503s, nothing hangs.
      redis.stop();
      api.get("/api/auth/profile", other).expectProblem(503, "service_unavailable");
      // It comes back with nothing in it (no persistence): the deny-list is rebuilt from auth's database.
      redis.start();
      long deadline = System.currentTimeMillis() + 15_000;
      while (api.get("/api/auth/profile", other).status() != 200) {
        assertTrue(System.currentTimeMillis() < deadline, "the gateway never got Redis back");
        Thread.sleep(100);
      }
      Response revoked = api.get("/api/auth/profile", loggedOut);
      while (revoked.status() != 401 && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        revoked = api.get("/api/auth/profile", loggedOut);
      }
      revoked.expectProblem(401, "unauthorized");
      // And it stays refused.
      Thread.sleep(3500);
      assertEquals(401, api.get("/api/auth/profile", loggedOut).status());
    } finally {
      redis.stop();
    }
  }
}
