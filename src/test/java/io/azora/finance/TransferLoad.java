package io.azora.finance;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many clients making random transfers among funded users through the gateway, as real clients would:
 * mostly ordinary amounts, some deliberate overdrafts, some replays of an earlier request (same key, same
 * body) and some reuses of a key with another body. A request whose answer is lost (connection cut,
 * server killed, 5xx) is retried with the same key until it gets a real answer, so every transfer's
 * outcome becomes known. Afterwards it tells what each client saw.
 */
final class TransferLoad {

  /**
   * One request: base {@code k} for its idempotency key; a replay shares an earlier base's key and body; a
   * conflicting one reuses an earlier key with another body.
   */
  record Spec(int base, String key, int from, int to, long amount, boolean replay, boolean conflicting) {
    JsonObject body(List<JsonObject> users) {
      return new JsonObject().put("toUserId", users.get(to).getString("id"))
          .put("amount", io.azora.platform.Money.format(amount));
    }
  }

  /** A transfer the server accepted (201), by id. */
  record Accepted(String id, int from, int to, long amount) {
  }

  private final Vertx vertx;
  private final WebClient client;
  private final List<JsonObject> users;
  private final long seed;
  private final boolean keyEverything;
  final Map<String, Accepted> accepted = new ConcurrentHashMap<>();
  /** Sender and idempotency key → the transfer ids its 201 answers carried (must be one). */
  final Map<String, Set<String>> idsByKey = new ConcurrentHashMap<>();
  /** Sender and idempotency key → the final answers (status, and the transfer id of a 201) to one body. */
  final Map<String, Set<String>> answersByKeyAndBody = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
  final List<String> unexpected = new CopyOnWriteArrayList<>();
  /** Requests sent again because their answer said "not yet" (the same key in flight) or the server failed. */
  final AtomicInteger retries = new AtomicInteger();
  /** Requests sent again because no answer came at all (connection refused or cut: the server died). */
  final AtomicInteger lostAnswers = new AtomicInteger();
  private int total;

  /**
   * {@code keyEverything}: every request carries a key (a request without one whose answer is lost has
   * an unknowable outcome, so crash runs key them all); otherwise one in twenty goes without.
   */
  TransferLoad(Vertx vertx, int port, List<JsonObject> users, long seed, boolean keyEverything, int concurrency) {
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(concurrency));
    this.vertx = vertx;
    this.users = users;
    this.seed = seed;
    this.keyEverything = keyEverything;
  }

  Spec spec(int i) {
    Random r = new Random(seed * 1_000_003L + i);
    int kind = r.nextInt(100);
    if (i > 0 && kind < 10) {
      Spec earlier = spec(r.nextInt(i));
      Spec base = earlier.replay() ? spec(earlier.base()) : earlier;
      if (base.key() != null && !base.conflicting()) {
        return new Spec(base.base(), base.key(), base.from(), base.to(), base.amount(), true, false);
      }
    }
    int from = r.nextInt(users.size());
    int to = (from + 1 + r.nextInt(users.size() - 1)) % users.size();
    long amount = kind < 15 ? 1_000_000L * 100_000_000L  // an overdraft: more than all the money given out
        : 1 + (long) (r.nextDouble() * 250 * 100_000_000L);
    String key = keyEverything || kind >= 20 ? "load-" + seed + "-" + i : null;
    if (i > 0 && kind >= 95 && key != null) {
      // The same sender reusing an earlier key for another transfer: one of the two is refused.
      Spec earlier = spec(r.nextInt(i));
      if (earlier.key() != null && !earlier.replay() && !earlier.conflicting()) {
        return new Spec(i, earlier.key(), earlier.from(), earlier.to(), earlier.amount() + 7, false, true);
      }
    }
    return new Spec(i, key, from, to, amount, false, false);
  }

  /** Sends {@code total} requests with {@code concurrency} clients; completes when every one has its answer. */
  Future<Void> run(int total, int concurrency) {
    this.total = total;
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> clients = new ArrayList<>();
    for (int c = 0; c < concurrency; c++) {
      Promise<Void> done = Promise.promise();
      loop(next, total, done);
      clients.add(done.future());
    }
    return Future.all(clients).mapEmpty();
  }

  private void loop(AtomicInteger next, int total, Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= total) {
      done.complete();
      return;
    }
    Spec spec = spec(i);
    send(spec, 0).onComplete(ar -> loop(next, total, done));
  }

  private Future<Void> send(Spec spec, int attempt) {
    JsonObject user = users.get(spec.from());
    HttpRequest<Buffer> request = client.post("/api/wallet/transfers").timeout(30_000)
        .putHeader("Authorization", "Bearer " + user.getString("token"));
    if (spec.key() != null) {
      request.putHeader("Idempotency-Key", spec.key());
    }
    return request.sendJsonObject(spec.body(users))
        .compose(response -> record(spec, response, attempt), err -> {
          lostAnswers.incrementAndGet();
          return retry(spec, attempt, err.toString());
        });
  }

  private Future<Void> record(Spec spec, HttpResponse<Buffer> response, int attempt) {
    int status = response.statusCode();
    if (status >= 500 || (status == 409 && "conflict".equals(code(response)))) {
      // Server down or restarting, or the same key still in flight: the outcome is not known yet.
      return retry(spec, attempt, "HTTP " + status + " " + response.bodyAsString());
    }
    String outcome = status + (status == 409 ? " " + code(response) : "");
    outcomes.computeIfAbsent(spec.replay() ? "replay " + outcome : spec.conflicting() ? "reuse " + outcome : outcome,
        k -> new AtomicInteger()).incrementAndGet();
    if (spec.key() != null) {
      String body = spec.from() + ":" + spec.key() + ":" + spec.amount();
      JsonObject json = status == 201 ? readable(response) : null;
      answersByKeyAndBody.computeIfAbsent(body, k -> ConcurrentHashMap.newKeySet())
          .add(status + (json == null ? "" : " " + json.getString("id")));
    }
    if (status == 201) {
      JsonObject body = readable(response);
      if (body == null) {
        unexpected.add("a 201 whose body is not the transfer: " + response.bodyAsString());
        return Future.succeededFuture();
      }
      String id = body.getString("id");
      accepted.put(id, new Accepted(id, spec.from(), spec.to(), spec.amount()));
      if (spec.key() != null) {
        idsByKey.computeIfAbsent(spec.from() + ":" + spec.key(), k -> ConcurrentHashMap.newKeySet()).add(id);
      }
      if (!io.azora.platform.Money.format(spec.amount()).equals(body.getString("amount"))) {
        unexpected.add("transfer " + id + " answered amount " + body.getString("amount"));
      }
    } else if (status != 402 && status != 409) {
      unexpected.add("HTTP " + status + ": " + response.bodyAsString());
    }
    return Future.succeededFuture();
  }

  private Future<Void> retry(Spec spec, int attempt, String why) {
    if (spec.key() == null) {
      unexpected.add("unkeyed request lost its answer: " + why);
      return Future.succeededFuture();
    }
    if (attempt >= 600) {
      unexpected.add("no answer after " + attempt + " attempts: " + why);
      return Future.succeededFuture();
    }
    retries.incrementAndGet();
    Promise<Void> later = Promise.promise();
    vertx.setTimer(200, id -> send(spec, attempt + 1).onComplete(later));
    return later.future();
  }

  private static JsonObject readable(HttpResponse<Buffer> response) {
    try {
      JsonObject body = response.bodyAsJsonObject();
      return body != null && body.getString("id") != null ? body : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Keys some request reused with another body: one body wins each, the other is idempotency_conflict. */
  Set<String> contestedKeys() {
    Set<String> contested = new java.util.HashSet<>();
    for (int i = 0; i < total; i++) {
      Spec s = spec(i);
      if (s.conflicting()) {
        contested.add(s.from() + ":" + s.key());
      }
    }
    return contested;
  }

  private static String code(HttpResponse<Buffer> response) {
    try {
      return response.bodyAsJsonObject().getString("code");
    } catch (RuntimeException e) {
      return null;
    }
  }

  void close() {
    client.close();
  }
}
