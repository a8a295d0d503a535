// The live rooms under load, as one separate client process (run by bench/run-rooms.sh with the server's
// jar on the class path: java -cp target/azora.jar bench/RoomsLoad.java ...). Sets up ROOMS published courses
// with USERS_PER_ROOM enrolled learners each, opens SOCKETS WebSockets spread evenly (a learner holds several,
// up to 16 per session), ramped in batches; then every socket sends one chat message, paced at RATE per
// second, and each delivery's latency (send → received by each participant) is measured.
// Prints "key value" lines for the script.

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

public class RoomsLoad {

  static final String BASE = System.getenv().getOrDefault("BASE", "http://127.0.0.1:4000");
  static final int PORT = URI.create(BASE).getPort();
  static final int SOCKETS = Integer.parseInt(System.getenv().getOrDefault("SOCKETS", "10000"));
  static final int PER_ROOM = Integer.parseInt(System.getenv().getOrDefault("PER_ROOM", "50"));
  static final int USERS_PER_ROOM = Integer.parseInt(System.getenv().getOrDefault("USERS_PER_ROOM", "4"));
  static final int BATCH = Integer.parseInt(System.getenv().getOrDefault("BATCH", "500"));
  static final int RATE = Integer.parseInt(System.getenv().getOrDefault("RATE", "200"));
  static final HttpClient http = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    int rooms = SOCKETS / PER_ROOM;
    ExecutorService pool = Executors.newFixedThreadPool(16);
    long setupStarted = System.currentTimeMillis();
    String teacher = register("teacher").getString("accessToken");
    List<String> courses = parallel(pool, rooms, i -> course(teacher, i));
    List<JsonObject> learners = parallel(pool, rooms * USERS_PER_ROOM, i -> {
      JsonObject t = register("learner" + i);
      String course = courses.get(i / USERS_PER_ROOM);
      call("POST", "/api/courses/" + course + "/enroll", t.getString("accessToken"), null);
      return new JsonObject().put("token", t.getString("accessToken")).put("course", course);
    });
    pool.shutdown();
    System.out.println("setup_seconds " + (System.currentTimeMillis() - setupStarted) / 1000);
    System.out.println("ready_for_sockets 1");
    System.out.flush();
    Thread.sleep(Long.parseLong(System.getenv().getOrDefault("PAUSE_MS", "3000")));  // the script reads RSS now

    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(SOCKETS + 100)
        .setConnectTimeout(30_000).setMaxFrameSize(65536));
    AtomicLongArray latencies = new AtomicLongArray(SOCKETS * PER_ROOM + 1);
    AtomicInteger delivered = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    java.util.concurrent.ConcurrentHashMap<String, Integer> closeCodes = new java.util.concurrent.ConcurrentHashMap<>();
    String run = UUID.randomUUID().toString().substring(0, 8);
    WebSocket[] sockets = new WebSocket[SOCKETS];

    // Ramp: batches of BATCH connections at once (the listen backlog is 4,096), each batch awaited.
    long rampStarted = System.nanoTime();
    for (int from = 0; from < SOCKETS; from += BATCH) {
      List<Future<WebSocket>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(SOCKETS, from + BATCH); i++) {
        int room = i / PER_ROOM;
        JsonObject learner = learners.get(room * USERS_PER_ROOM + (i % PER_ROOM) % USERS_PER_ROOM);
        int index = i;
        batch.add(connect(vertx, client, learner, 0).onSuccess(ws -> {
          sockets[index] = ws;
          ws.closeHandler(v -> {
            closed.incrementAndGet();
            closeCodes.merge(ws.closeStatusCode() + " " + ws.closeReason(), 1, Integer::sum);
          });
          ws.textMessageHandler(text -> {
            if (text.startsWith("{\"from\"") || text.contains("\"type\":\"chat\"")) {
              JsonObject m = new JsonObject(text);
              String body = m.getString("text", "");
              if (body.startsWith(run + ":")) {
                long sent = Long.parseLong(body.substring(run.length() + 1));
                int slot = delivered.getAndIncrement();
                if (slot < latencies.length()) {
                  latencies.set(slot, System.nanoTime() - sent);
                }
              }
            }
          });
        }));
      }
      Future.join(batch).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }
    double rampSeconds = (System.nanoTime() - rampStarted) / 1e9;
    long open = Arrays.stream(sockets).filter(ws -> ws != null && !ws.isClosed()).count();
    System.out.printf("sockets_open %d%nconnect_seconds %.1f%nconnect_rate %.0f%n", open, rampSeconds, SOCKETS / rampSeconds);
    System.out.println("connected 1");
    System.out.flush();
    Thread.sleep(Long.parseLong(System.getenv().getOrDefault("SETTLE_MS", "15000")));  // presence settles

    // Every socket sends one message, paced at RATE a second, round-robin over the rooms.
    long gapNanos = 1_000_000_000L / RATE;
    long start = System.nanoTime();
    int sent = 0;
    for (int k = 0; k < SOCKETS; k++) {
      int room = k % (SOCKETS / PER_ROOM);
      int i = room * PER_ROOM + k / (SOCKETS / PER_ROOM);
      long due = start + (long) k * gapNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait);
      }
      WebSocket ws = sockets[i];
      if (ws != null && !ws.isClosed()) {
        String text = new JsonObject().put("type", "chat").put("text", run + ":" + System.nanoTime()).encode();
        vertx.runOnContext(v -> ws.writeTextMessage(text));
        sent++;
      }
    }
    double sendSeconds = (System.nanoTime() - start) / 1e9;
    long expected = (long) sent * PER_ROOM;
    long waitUntil = System.currentTimeMillis() + 60_000;
    while (delivered.get() < expected && System.currentTimeMillis() < waitUntil) {
      Thread.sleep(200);
    }
    int n = Math.min(delivered.get(), latencies.length());
    long[] sorted = new long[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = latencies.get(i);
    }
    Arrays.sort(sorted);
    System.out.printf("messages_sent %d%nsend_seconds %.1f%ndeliveries_expected %d%ndeliveries %d%n", sent, sendSeconds,
        expected, delivered.get());
    if (n > 0) {
      System.out.printf("broadcast_p50_ms %.1f%nbroadcast_p99_ms %.1f%nbroadcast_max_ms %.1f%n", sorted[n / 2] / 1e6,
          sorted[(int) (n * 0.99)] / 1e6, sorted[n - 1] / 1e6);
    }
    System.out.println("sockets_closed_by_server " + closed.get());
    System.out.println("close_codes " + closeCodes.toString().replace(' ', '_'));
    System.out.println("done 1");
    System.out.flush();
    Thread.sleep(Long.parseLong(System.getenv().getOrDefault("HOLD_MS", "3000")));  // the script reads RSS now
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Connects one learner's socket to its course's room, retrying while tutoring has yet to see the enrolment. */
  static Future<WebSocket> connect(Vertx vertx, WebSocketClient client, JsonObject learner, int attempt) {
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(PORT)
            .setURI("/api/rooms/" + learner.getString("course") + "/ws?token=" + learner.getString("token")))
        .recover(err -> {
          if (attempt < 50 && err instanceof UpgradeRejectedException r && r.getStatus() == 403) {
            return Future.<Void>future(p -> vertx.setTimer(200, id -> p.complete()))
                .compose(v -> connect(vertx, client, learner, attempt + 1));
          }
          return Future.failedFuture(err);
        });
  }

  interface Job<T> {
    T run(int i) throws Exception;
  }

  static <T> List<T> parallel(ExecutorService pool, int n, Job<T> job) throws Exception {
    List<java.util.concurrent.Future<T>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      futures.add(pool.submit(() -> job.run(index)));
    }
    List<T> results = new ArrayList<>();
    for (java.util.concurrent.Future<T> f : futures) {
      results.add(f.get());
    }
    return results;
  }

  static JsonObject register(String who) throws Exception {
    return call("POST", "/api/auth/register", null, new JsonObject().put("email", who + "-" + UUID.randomUUID() + "@bench.test")
        .put("password", "rooms-bench-passphrase").put("name", who).put("role", who.equals("teacher") ? "instructor" : "student"));
  }

  static String course(String teacher, int i) throws Exception {
    String id = call("POST", "/api/courses", teacher, new JsonObject().put("title", "Room " + i).put("price", "0")
        .put("level", "beginner").put("category", "bench")).getString("id");
    String module = call("POST", "/api/courses/" + id + "/modules", teacher, new JsonObject().put("title", "M")).getString("id");
    call("POST", "/api/courses/" + id + "/modules/" + module + "/lessons", teacher,
        new JsonObject().put("title", "L").put("content", "text"));
    call("POST", "/api/courses/" + id + "/publish", teacher, null);
    return id;
  }

  static JsonObject call(String method, String path, String token, JsonObject body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(BASE + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()))
        .header("Content-Type", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + " → " + response.statusCode() + " " + response.body());
    }
    return response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
  }
}
