package io.azora.gateway;

import io.azora.platform.Caller;
import io.azora.platform.ClusterMembers;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The contract's {@code Idempotency-Key} for POSTs, shared by all gateway nodes through Redis: a replay
 * with the same key and body gets the first response again (status and body); the same key with another
 * body is 409 {@code idempotency_conflict}; while the first is still running, 409 {@code conflict}.
 * Answers of 500 and above are forgotten so the client can retry. Keys live 24 h. (Money-moving domains
 * also key their own writes, durably, in their databases.) A pending key names the node handling it: if
 * that node has left the cluster (it died mid-request), a retry on another gateway takes the key over at
 * once instead of waiting out the pending marker, and the domain's own durable key makes the outcome the
 * one the first attempt reached, if it reached one.
 */
final class Idempotency {

  static final String HEADER = "Idempotency-Key";
  private static final String RECORD = "azora.idempotency";
  private static final int PENDING_SECONDS = 60;
  private static final int KEEP_SECONDS = 24 * 3600;
  /** KEYS[1] record; ARGV[1] pending record, ARGV[2] ttl → the existing record, or nil after claiming it. */
  private static final String CLAIM = """
      local existing = redis.call('GET', KEYS[1])
      if existing then return existing end
      redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
      return false""";
  /** KEYS[1] record; ARGV[1] the pending record seen, ARGV[2] ours, ARGV[3] ttl → 1 if ours replaced it. */
  private static final String TAKE_OVER = """
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
      redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
      return 1""";

  private final RedisLink redis;
  private final String prefix;
  private final ClusterMembers nodes;

  /** Shares {@code link}, the verticle's pipelined Redis connection, with the rate limiter. */
  Idempotency(RedisLink link, String prefix, ClusterMembers nodes) {
    this.redis = link;
    this.prefix = prefix + "idem:";
    this.nodes = nodes;
  }

  private record Claim(String redisKey, String fingerprint, RedisLink redis) {
  }

  Handler<RoutingContext> handler() {
    return ctx -> {
      String key = ctx.request().getHeader(HEADER);
      if (key == null) {
        ctx.next();
        return;
      }
      if (key.isBlank() || key.length() > 255) {
        ProblemJson.send(ctx, 400, "validation_failed", "Idempotency-Key must be 1 to 255 characters");
        return;
      }
      Caller caller = Api.caller(ctx);
      String scope = caller != null ? "user:" + caller.userId() : "ip:" + Api.clientIp(ctx);
      Claim claim = new Claim(prefix + scope + ":" + sha256(key), fingerprint(ctx), redis);
      String pending = new JsonObject().put("state", "pending").put("fp", claim.fingerprint()).put("node", nodes.self())
          .encode();
      redis.send(Request.cmd(Command.EVAL).arg(CLAIM).arg(1).arg(claim.redisKey()).arg(pending).arg(PENDING_SECONDS))
          .onFailure(err -> ProblemJson.fail(ctx, new java.util.concurrent.TimeoutException("idempotency store unavailable")))
          .onSuccess(existing -> decide(ctx, claim, existing, pending));
    };
  }

  private void decide(RoutingContext ctx, Claim claim, Response existing, String pending) {
    if (existing == null) {
      ctx.put(RECORD, claim);
      ctx.next();
      return;
    }
    JsonObject record = new JsonObject(existing.toString());
    if (!claim.fingerprint().equals(record.getString("fp"))) {
      ProblemJson.send(ctx, 409, "idempotency_conflict", "This Idempotency-Key was used with a different request");
    } else if ("pending".equals(record.getString("state")) && record.getString("node") != null
        && !nodes.alive(record.getString("node"))) {
      // Its node died mid-request: take the key over (once, whoever comes first) and ask the domain again.
      redis.send(Request.cmd(Command.EVAL).arg(TAKE_OVER).arg(1).arg(claim.redisKey()).arg(existing.toString())
              .arg(pending).arg(PENDING_SECONDS))
          .onFailure(err -> ProblemJson.fail(ctx, new java.util.concurrent.TimeoutException("idempotency store unavailable")))
          .onSuccess(took -> {
            if (took.toInteger() == 1) {
              ctx.put(RECORD, claim);
              ctx.next();
            } else {
              ProblemJson.send(ctx, 409, "conflict", "A request with this Idempotency-Key is still being processed");
            }
          });
    } else if ("pending".equals(record.getString("state"))) {
      ProblemJson.send(ctx, 409, "conflict", "A request with this Idempotency-Key is still being processed");
    } else {
      ctx.response().setStatusCode(record.getInteger("status"))
          .putHeader("Idempotent-Replayed", "true");
      if (record.getString("contentType") != null) {
        ctx.response().putHeader("Content-Type", record.getString("contentType"));
      }
      ctx.response().end(Buffer.buffer(Base64.getDecoder().decode(record.getString("body"))));
    }
  }

  /**
   * Writes an answer: first remembered for the request's Idempotency-Key, if it has one, so that a replay
   * arriving right after sees it.
   */
  static void end(RoutingContext ctx, int status, String contentType, Buffer body) {
    Claim claim = ctx.get(RECORD);
    if (claim == null) {
      endNow(ctx, status, contentType, body);
      return;
    }
    ctx.remove(RECORD);
    remember(claim, status, contentType, body).onComplete(ar -> endNow(ctx, status, contentType, body));
  }

  private static void endNow(RoutingContext ctx, int status, String contentType, Buffer body) {
    ctx.response().setStatusCode(status);
    if (contentType != null) {
      ctx.response().putHeader("Content-Type", contentType);
    }
    if (body == null) {
      ctx.response().end();
    } else {
      ctx.response().end(body);
    }
  }

  private static Future<?> remember(Claim claim, int status, String contentType, Buffer body) {
    RedisLink redis = claim.redis();
    if (status >= 500) {
      return redis.send(Request.cmd(Command.DEL).arg(claim.redisKey()));
    }
    JsonObject record = new JsonObject().put("state", "done").put("fp", claim.fingerprint()).put("status", status)
        .put("contentType", contentType)
        .put("body", Base64.getEncoder().encodeToString(body == null ? new byte[0] : body.getBytes()));
    return redis.send(Request.cmd(Command.SET).arg(claim.redisKey()).arg(record.encode()).arg("EX").arg(KEEP_SECONDS));
  }

  private static String fingerprint(RoutingContext ctx) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    return sha256(ctx.request().method() + " " + ctx.request().path() + "\n" + (body == null ? "" : body.toString()));
  }

  static String sha256(String value) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
