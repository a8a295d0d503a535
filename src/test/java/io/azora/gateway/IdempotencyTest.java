package io.azora.gateway;

import io.azora.support.HttpApi;
import io.azora.support.HttpApi.Response;
import io.azora.support.TestInfra;
import io.azora.platform.BoundedRedis;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The gateway's Idempotency-Key handling (real Redis, real HTTP) on a creating route that counts how often
 * it really ran: replays return the first answer, a different body is idempotency_conflict.
 */
@ExtendWith(VertxExtension.class)
class IdempotencyTest {

  @Test
  void replaysConflictsAndRetriesAfterServerErrors(Vertx vertx) throws Exception {
    Redis redis = Redis.createClient(vertx, TestInfra.redisUrl());
    String prefix = "azt-idem-" + UUID.randomUUID() + ":";
    // This gateway is gw-a; gw-b is another member still in the cluster; any other node has left it.
    Idempotency idempotency = new Idempotency(new RedisLink(new BoundedRedis(redis, 2000)), prefix, new io.azora.platform.ClusterMembers() {
      @Override
      public String self() {
        return "gw-a";
      }

      @Override
      public boolean alive(String node) {
        return List.of("gw-a", "gw-b").contains(node);
      }
    });
    AtomicInteger created = new AtomicInteger();
    AtomicInteger failNext = new AtomicInteger();
    Router router = Router.router(vertx);
    router.route().handler(new RequestTracing(List.of()));
    router.route().handler(BodyHandler.create());
    router.post("/things").handler(idempotency.handler()).handler(ctx -> {
      if (failNext.getAndSet(0) == 1) {
        ProblemJson.send(ctx, 503, "service_unavailable", "try again");
        return;
      }
      Api.send(ctx, 201, new JsonObject().put("id", created.incrementAndGet()).put("body", ctx.body().asJsonObject()));
    });
    int port = TestInfra.freePort();
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
    HttpApi api = new HttpApi(vertx, port);
    Buffer body = new JsonObject().put("amount", "12.5").toBuffer();
    String key = "k-" + UUID.randomUUID();

    Response first = api.send(HttpMethod.POST, "/things", null, body, Map.of("Idempotency-Key", key)).expect(201);
    Response replay = api.send(HttpMethod.POST, "/things", null, body, Map.of("Idempotency-Key", key)).expect(201);
    assertEquals(first.body().toString(), replay.body().toString());
    assertEquals("true", replay.header("Idempotent-Replayed"));
    assertEquals(1, created.get(), "the work was done once");

    api.send(HttpMethod.POST, "/things", null, new JsonObject().put("amount", "13").toBuffer(),
        Map.of("Idempotency-Key", key)).expectProblem(409, "idempotency_conflict");
    api.send(HttpMethod.POST, "/things", null, body, Map.of("Idempotency-Key", "x".repeat(256)))
        .expectProblem(400, "validation_failed");
    api.send(HttpMethod.POST, "/things", null, body, Map.of()).expect(201);
    assertEquals(2, created.get(), "without a key every request is new");

    // A 5xx answer is not remembered: the retry does the work.
    String retryKey = "r-" + UUID.randomUUID();
    failNext.set(1);
    api.send(HttpMethod.POST, "/things", null, body, Map.of("Idempotency-Key", retryKey)).expectProblem(503, "service_unavailable");
    api.send(HttpMethod.POST, "/things", null, body, Map.of("Idempotency-Key", retryKey)).expect(201);
    assertEquals(3, created.get());

    // A key left pending by a gateway that is still a member: 409 while it works; by one that left the
    // cluster (it died mid-request): the retry takes the key over at once and the work is done.
    String fp = Idempotency.sha256("POST /things\n" + body);
    String live = "live-" + UUID.randomUUID();
    String orphan = "orphan-" + UUID.randomUUID();
    for (String[] seeded : new String[][] {{live, "gw-b"}, {orphan, "gw-dead"}}) {
      redis.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.SET)
          .arg(prefix + "idem:ip:127.0.0.1:" + Idempotency.sha256(seeded[0]))
          .arg(new JsonObject().put("state", "pending").put("fp", fp).put("node", seeded[1]).encode()).arg("EX").arg(60))
          .await(5, TimeUnit.SECONDS);
    }
    api.send(HttpMethod.POST, "/things", null, body, Map.of("Idempotency-Key", live)).expectProblem(409, "conflict");
    assertEquals(3, created.get());
    Response takenOver = api.send(HttpMethod.POST, "/things", null, body, Map.of("Idempotency-Key", orphan)).expect(201);
    assertEquals(4, created.get(), "the orphaned key's request was done");
    assertEquals(takenOver.body().toString(), api.send(HttpMethod.POST, "/things", null, body,
        Map.of("Idempotency-Key", orphan)).expect(201).body().toString(), "and is replayed from then on");
    server.close();
    redis.close();
  }
}
