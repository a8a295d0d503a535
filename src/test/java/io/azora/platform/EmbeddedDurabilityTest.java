package io.azora.platform;

import io.azora.support.ChildNode;
import io.azora.support.HttpApi;
import io.azora.support.TestInfra;
import io.azora.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zero-config default is as durable as real servers: PostgreSQL with fsync and synchronous commit,
 * Redis appending to its log; a crash of the whole machine (the node and its embedded servers killed at
 * once) loses no acknowledged transfer; SIGTERM under load drains before the servers stop, so nothing
 * fails after "Shutting down" but the refusal of new work.
 */
@ExtendWith(VertxExtension.class)
class EmbeddedDurabilityTest {

  static final String ADMIN = "root@azora.test";
  static final String ADMIN_PASSWORD = "embedded-admin-passphrase";

  @Test
  void embeddedServersAreConfiguredToKeepWhatTheyAcknowledge(@TempDir Path dataDir) throws Exception {
    JsonObject config = new JsonObject().put("node", new JsonObject().put("dataDir", dataDir.toString()))
        .put("database", new JsonObject().put("url", "").put("host", "")).put("redis", new JsonObject().put("url", ""));
    try (EmbeddedServers embedded = new EmbeddedServers()) {
      JsonObject resolved = embedded.startMissing(config);
      JsonObject db = resolved.getJsonObject("database");
      try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + db.getInteger("port") + "/postgres", "postgres", "");
           var st = c.createStatement()) {
        for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
          var rs = st.executeQuery("SHOW " + setting);
          rs.next();
          assertEquals("on", rs.getString(1), setting);
        }
      }
      int redisPort = Integer.parseInt(resolved.getJsonObject("redis").getString("url").replaceAll(".*:", ""));
      assertTrue(redisCommand(redisPort, "CONFIG GET appendonly").contains("yes"));
    }
  }

  static String redisCommand(int port, String command) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.setSoTimeout(2000);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[512];
      int n = in.read(buffer);
      return new String(buffer, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
    }
  }

  /** A node as {@code java -jar} runs it with no database or Redis configured, on {@code dataDir}. */
  static ChildNode zeroConfig(String prefix, Path dataDir, int port) throws Exception {
    return ChildNode.start(prefix, port, Map.of("AZORA_DATABASE_HOST", "", "AZORA_REDIS_URL", "",
        "AZORA_NODE_DATA_DIR", dataDir.toString(), "AZORA_AUTH_ADMIN_EMAIL", ADMIN,
        "AZORA_AUTH_ADMIN_PASSWORD", ADMIN_PASSWORD, "AZORA_NODE_SHUTDOWN_GRACE_SECONDS", "20"));
  }

  /** Transfers of 0.01 AZR between two users, 16 clients at a time, until stopped; the ids acknowledged (201). */
  static final class SteadyTransfers {
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> workers = new ArrayList<>();

    SteadyTransfers(Vertx vertx, int port, String token, String to) {
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
          new PoolOptions().setHttp1MaxSize(16));
      for (int w = 0; w < 16; w++) {
        Thread worker = new Thread(() -> {
          while (!stop.get()) {
            try {
              var response = client.post("/api/wallet/transfers").putHeader("Authorization", "Bearer " + token)
                  .putHeader("Idempotency-Key", UUID.randomUUID().toString()).timeout(10_000)
                  .sendJsonObject(new JsonObject().put("toUserId", to).put("amount", "0.01")).await(15, TimeUnit.SECONDS);
              if (response.statusCode() == 201) {
                acknowledged.add(response.bodyAsJsonObject().getString("id"));
              }
            } catch (Exception refusedOrCut) {
              // the node is going down: what was not acknowledged may or may not have happened
            }
          }
        }, "transfers-" + w);
        worker.start();
        workers.add(worker);
      }
    }

    /** A new sender (funded by the admin) and receiver, and the transfers between them, started. */
    static SteadyTransfers between(Vertx vertx, HttpApi api, String senderEmail) {
      JsonObject sender = api.register(senderEmail, "violet-harbor-42", "Sender", null);
      String receiver = api.register("receiver-" + UUID.randomUUID() + "@azora.test", "violet-harbor-42", "R", null)
          .getJsonObject("user").getString("id");
      String admin = api.login(ADMIN, ADMIN_PASSWORD).getString("accessToken");
      api.post("/api/admin/wallets/" + sender.getJsonObject("user").getString("id") + "/grants", admin,
          new JsonObject().put("amount", "100000").put("reason", "load")).expect(201);
      return new SteadyTransfers(vertx, api.port(), sender.getString("accessToken"), receiver);
    }

    /** Stops sending and waits for the answers of what was sent: the ids acknowledged. */
    Set<String> stop() throws InterruptedException {
      stop.set(true);
      for (Thread worker : workers) {
        worker.join(30_000);
      }
      return new HashSet<>(acknowledged);
    }
  }

  /** Every transfer id in the user's history. */
  static Set<String> history(HttpApi api, String token) {
    Set<String> ids = new HashSet<>();
    String cursor = null;
    do {
      JsonObject page = api.get("/api/transactions?type=transfer&limit=100" + (cursor == null ? "" : "&cursor=" + cursor), token)
          .expect(200).json();
      page.getJsonArray("items").forEach(i -> ids.add(((JsonObject) i).getString("id")));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    return ids;
  }

  /** Kills, at once, what a machine crash would: the node's JVM, PostgreSQL and all its backends, Redis. */
  static void crash(ChildNode node, Path dataDir) throws Exception {
    List<ProcessHandle> victims = new ArrayList<>();
    victims.add(node.process.toHandle());
    for (Path pid : List.of(dataDir.resolve("postgres/postmaster.pid"), dataDir.resolve("redis/redis.pid"))) {
      long id = Long.parseLong(Files.readAllLines(pid).get(0).strip());
      ProcessHandle.of(id).ifPresent(p -> {
        p.descendants().forEach(victims::add);
        victims.add(p);
      });
    }
    victims.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : victims) {
      p.onExit().get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void aCrashLosesNoAcknowledgedTransfer(Vertx vertx, @TempDir Path dataDir) throws Exception {
    String prefix = TestNode.newPrefix();
    int port = TestInfra.freePort();
    HttpApi api = new HttpApi(vertx, port);
    ChildNode node = zeroConfig(prefix, dataDir, port);
    String senderEmail = "sender-" + UUID.randomUUID() + "@azora.test";
    Set<String> acknowledged;
    try {
      node.awaitHealthy(api);
      SteadyTransfers load = SteadyTransfers.between(vertx, api, senderEmail);
      Thread.sleep(3_000);
      crash(node, dataDir);
      acknowledged = load.stop();
    } finally {
      node.process.destroyForcibly();
    }
    assertTrue(acknowledged.size() > 20, "the load ran: " + acknowledged.size() + " transfers acknowledged");

    ChildNode again = zeroConfig(prefix, dataDir, port);
    try {
      again.awaitHealthy(api);
      String token = api.login(senderEmail, "violet-harbor-42").getString("accessToken");
      Set<String> kept = history(api, token);
      Set<String> lost = new HashSet<>(acknowledged);
      lost.removeAll(kept);
      assertTrue(lost.isEmpty(), lost.size() + " of " + acknowledged.size() + " acknowledged transfers were lost");
      JsonObject report = api.get("/api/ledger/verify", api.login(ADMIN, ADMIN_PASSWORD).getString("accessToken"))
          .expect(200).json();
      assertEquals(Boolean.TRUE, report.getBoolean("ok"), report::encodePrettily);
    } finally {
      again.close();
    }
  }

  @Test
  void sigtermUnderLoadFailsNothingButNewWork(Vertx vertx, @TempDir Path dataDir) throws Exception {
    String prefix = TestNode.newPrefix();
    int port = TestInfra.freePort();
    HttpApi api = new HttpApi(vertx, port);
    ChildNode node = zeroConfig(prefix, dataDir, port);
    try {
      node.awaitHealthy(api);
      SteadyTransfers load = SteadyTransfers.between(vertx, api, "s-" + UUID.randomUUID() + "@azora.test");
      Thread.sleep(2_000);
      node.process.destroy();
      assertTrue(node.process.waitFor(60, TimeUnit.SECONDS), "the node exits after draining");
      assertTrue(load.stop().size() > 20, "the load ran");

      String log = node.log();
      int shutdown = log.indexOf("Shutting down");
      assertTrue(shutdown > 0, log);
      List<String> problems = log.substring(shutdown).lines()
          .filter(line -> line.contains("\"level\":\"ERROR\"") || line.contains("\"level\":\"WARN\""))
          // New work refused: a connection accepted as the server closed finds no event loop to serve it.
          .filter(line -> !line.contains("Failed to register an accepted channel"))
          .toList();
      assertEquals(List.of(), problems, "nothing fails while the node drains and stops");
    } finally {
      node.process.destroyForcibly();
    }
  }
}
