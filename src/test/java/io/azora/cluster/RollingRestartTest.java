package io.azora.cluster;

import io.azora.support.ChildNode;
import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.Market;
import io.azora.support.SocketClient;
import io.azora.support.TestInfra;
import io.azora.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restarting every node, one by one, under load, as an orchestrator does: a gateway is taken out of the
 * load balancer's rotation first (Kubernetes drops its endpoint during the preStop pause), then sent
 * SIGTERM; it drains, leaves the cluster, starts again on the same port and rejoins the rotation once
 * healthy. Three JVMs (two with the gateway and every domain, one with every domain), eight clients
 * reading, searching and transferring throughout: not one request fails, every transfer happens once, the
 * ledger verifies, and a WebSocket client on a restarted gateway is told 1001 (going away), reconnects to
 * the other gateway and is pushed its notifications there.
 */
@ExtendWith(VertxExtension.class)
class RollingRestartTest {

  /** The load balancer in front of the gateways: round-robin over those in rotation; a refused connection tries the next. */
  static final class Balancer {
    final List<Integer> rotation = new CopyOnWriteArrayList<>();
    final Map<Integer, HttpApi> apis = new java.util.concurrent.ConcurrentHashMap<>();
    final AtomicInteger next = new AtomicInteger();
    final Vertx vertx;

    Balancer(Vertx vertx) {
      this.vertx = vertx;
    }

    HttpApi.Response send(HttpMethod method, String path, String token, JsonObject body, Map<String, String> headers) {
      AssertionError last = null;
      for (int attempt = 0; attempt < 4; attempt++) {
        List<Integer> ports = rotation;
        int port = ports.get(Math.floorMod(next.getAndIncrement(), ports.size()));
        try {
          return apis.computeIfAbsent(port, p -> new HttpApi(vertx, p))
              .send(method, path, token, body == null ? null : body.toBuffer(), headers);
        } catch (AssertionError connectionFailed) {
          last = connectionFailed;  // as a load balancer's retry on a refused connection
        }
      }
      throw last;
    }
  }

  record Outcome(String what, int status, long tookMs) {
  }

  @Test
  void restartingEveryNodeUnderLoadFailsNoRequest(Vertx vertx) throws Exception {
    String prefix = TestNode.newPrefix();
    Map<String, String> env = FailoverTest.clusterEnv("azora-rolling-");
    Map<String, String> domainsOnly = FailoverTest.domainsOnly(env);
    int portA = TestInfra.freePort();
    int portB = TestInfra.freePort();
    ChildNode[] nodes = new ChildNode[3];
    ExecutorService clients = Executors.newFixedThreadPool(8);
    SocketClient socket = null;
    try {
      nodes[0] = ChildNode.start(prefix, portA, env, "--cluster");
      nodes[0].awaitHealthy(new HttpApi(vertx, portA));
      nodes[1] = ChildNode.start(prefix, portB, env, "--cluster");
      nodes[2] = ChildNode.start(prefix, 0, domainsOnly, "--cluster");
      nodes[1].awaitHealthy(new HttpApi(vertx, portB));
      FailoverTest.awaitLog(nodes[2], "Azora is up");

      Balancer lb = new Balancer(vertx);
      lb.rotation.addAll(List.of(portA, portB));
      HttpApi a = new HttpApi(vertx, portA);
      String admin = Courses.admin(a);
      JsonObject receiver = Market.user(a, "student");
      List<JsonObject> senders = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        JsonObject sender = Market.user(a, "student");
        Market.grant(a, admin, sender, "100");
        senders.add(sender);
      }
      socket = SocketClient.connect(vertx, portA, "/api/events/ws", receiver.getString("token"));

      List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger transfers = new AtomicInteger();
      AtomicBoolean running = new AtomicBoolean(true);
      for (int c = 0; c < 8; c++) {
        JsonObject sender = senders.get(c);
        clients.submit(() -> {
          for (int n = 0; running.get(); n++) {
            long start = System.currentTimeMillis();
            HttpApi.Response r = switch (n % 3) {
              case 0 -> lb.send(HttpMethod.GET, "/api/wallet/balance", sender.getString("token"), null, Map.of());
              case 1 -> lb.send(HttpMethod.GET, "/api/courses?q=learning", null, null, Map.of());
              default -> {
                transfers.incrementAndGet();
                yield lb.send(HttpMethod.POST, "/api/wallet/transfers", sender.getString("token"), new JsonObject()
                    .put("toUserId", receiver.getString("id")).put("amount", "0.01").put("memo", "rolling"),
                    Map.of("Idempotency-Key", UUID.randomUUID().toString()));
              }
            };
            outcomes.add(new Outcome(n % 3 == 2 ? "transfer" : "read", r.status(), System.currentTimeMillis() - start));
          }
          return null;
        });
      }
      Thread.sleep(2_000);

      List<String> readiness = new ArrayList<>();
      // The domains-only node first, then each gateway node.
      for (int i : new int[] {2, 1, 0}) {
        int port = i == 0 ? portA : i == 1 ? portB : 0;
        if (port != 0) {
          lb.rotation.remove(Integer.valueOf(port));
          Thread.sleep(1_000);  // the endpoint is dropped before the pod is told to stop
        }
        nodes[i].close();  // SIGTERM: drain, leave the cluster, exit
        if (i == 0) {
          assertEquals((short) 1001, socket.awaitClose(10), "the socket was told the server is going away");
          socket = SocketClient.connect(vertx, portB, "/api/events/ws", receiver.getString("token"));
        }
        long started = System.currentTimeMillis();
        nodes[i] = ChildNode.start(prefix, port == 0 ? 0 : port, i == 2 ? domainsOnly : env, "--cluster");
        // Ready as /health/ready says (what a balancer waits for): every verticle of the node deployed.
        FailoverTest.awaitLog(nodes[i], "Azora is up");
        if (port != 0) {
          nodes[i].awaitHealthy(new HttpApi(vertx, port));
          lb.rotation.add(port);
        }
        readiness.add((i == 2 ? "domains" : "gateway " + i) + " ready in " + (System.currentTimeMillis() - started) + " ms");
        Thread.sleep(1_000);
      }
      running.set(false);
      clients.shutdown();
      assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
      System.out.println("rolling restart: " + outcomes.size() + " requests, " + readiness);

      List<Outcome> failed = outcomes.stream().filter(o -> o.status() >= 300).toList();
      assertEquals(List.of(), failed, "no request failed during the rolling restart");
      assertTrue(outcomes.size() > 200, "the load ran throughout: " + outcomes.size());
      HttpApi b = new HttpApi(vertx, portB);
      String expected = new java.math.BigDecimal("0.01").multiply(java.math.BigDecimal.valueOf(transfers.get()))
          .stripTrailingZeros().toPlainString();
      assertEquals(expected, b.get("/api/wallet/balance", receiver.getString("token")).expect(200).json().getString("balance"));
      JsonObject verify = b.get("/api/ledger/verify", Courses.admin(b)).expect(200).json();
      assertEquals(Boolean.TRUE, verify.getBoolean("ok"), verify.encode());

      // The reconnected socket is pushed what happens now.
      Market.grant(b, Courses.admin(b), receiver, "1");
      assertEquals("wallet.credited", socket.next(m -> "notification".equals(m.getString("type"))
          && "1".equals(m.getJsonObject("data").getString("amount")), 15, "the grant's notification").getString("kind"));
    } finally {
      clients.shutdownNow();
      if (socket != null) {
        socket.close();
      }
      for (ChildNode node : nodes) {
        if (node != null) {
          node.close();
        }
      }
      TestInfra.dropDatabases(prefix);
    }
  }
}
