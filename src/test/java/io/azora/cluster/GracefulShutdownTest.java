package io.azora.cluster;

import io.azora.support.ChildNode;
import io.azora.support.HttpApi;
import io.azora.support.TestInfra;
import io.azora.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM drains a node: its WebSockets are closed with 1001 (clients reconnect elsewhere), requests in
 * flight finish with their real answer, then the process exits.
 */
@ExtendWith(VertxExtension.class)
class GracefulShutdownTest {

  @Test
  void sigtermFinishesRequestsInFlight(Vertx vertx) throws Exception {
    String prefix = TestNode.newPrefix();
    int port = TestInfra.freePort();
    // 24 logins at once to one account
    ChildNode child = ChildNode.start(prefix, port, Map.of("AZORA_AUTH_LOGIN_FAILURES_BEFORE_THROTTLE", "1000"));
    Process node = child.process;
    try {
      HttpApi api = new HttpApi(vertx, port);
      child.awaitHealthy(api);
      String token = api.register("drain@azora.test", "violet-harbor-42", "Drain", null).getString("accessToken");
      WebSocket socket = vertx.createWebSocketClient().connect(new WebSocketConnectOptions()
          .setHost("127.0.0.1").setPort(port).setURI("/api/tutor/ws?token=" + token)).await(10, TimeUnit.SECONDS);
      LinkedBlockingQueue<Short> socketClosed = new LinkedBlockingQueue<>();
      socket.closeHandler(v -> socketClosed.add(socket.closeStatusCode() == null ? -1 : socket.closeStatusCode()));

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
      assertEquals((short) 1001, socketClosed.poll(10, TimeUnit.SECONDS), "the socket is closed as going away");
      Future.join(logins).otherwiseEmpty().await(60, TimeUnit.SECONDS);
      long finishedAfterSigterm = logins.stream()
          .filter(f -> f.succeeded() && f.result()[0] == 200 && f.result()[1] > sigterm).count();
      List<String> others = logins.stream().filter(f -> f.failed() || f.result()[0] != 200)
          .map(f -> f.failed() ? f.cause().toString() : "HTTP " + f.result()[0]).toList();
      assertTrue(finishedAfterSigterm > 0, "logins in flight at SIGTERM completed with 200");
      assertTrue(others.isEmpty(), "every request sent before SIGTERM got its answer: " + others);
      assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node exits after draining");
      String output = child.log();
      assertTrue(output.contains("Shutting down"), output);
      assertTrue(System.currentTimeMillis() - sigterm < 30_000);
    } finally {
      node.destroyForcibly();
      TestInfra.dropDatabases(prefix);
    }
  }
}
