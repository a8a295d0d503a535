package io.azora.gateway;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Fixed-window rate limiting in Redis, shared by every gateway node, in one atomic script per request.
 * The same round trip checks the session deny-list, so a logged-out token fails at once.
 */
final class RateLimiter {

  /** KEYS[1] counter, KEYS[2] deny-list entry; ARGV[1] limit, ARGV[2] window. → {count or -1 if denied, ttl}. */
  private static final String SCRIPT = """
      if redis.call('EXISTS', KEYS[2]) == 1 then return {-1, 0} end
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
      local ttl = redis.call('TTL', KEYS[1])
      if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
      return {n, ttl}""";
  private static final String SHA = sha1(SCRIPT);

  /** The outcome of one request against its limit. */
  record Decision(boolean denied, boolean allowed, int limit, long remaining, long resetSeconds) {
  }

  private final RedisLink redis;
  private final String prefix;

  RateLimiter(RedisLink redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix;
  }

  /** Counts a request of {@code subject}; {@code sessionId} (may be null) is checked against the deny-list. */
  Future<Decision> hit(String subject, String sessionId, int limit, int windowSeconds) {
    String counter = prefix + "rl:" + subject;
    String deny = prefix + "deny:" + (sessionId == null ? "-" : sessionId);
    return eval(Command.EVALSHA, SHA, counter, deny, limit, windowSeconds)
        .recover(err -> err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT")
            ? eval(Command.EVAL, SCRIPT, counter, deny, limit, windowSeconds)
            : Future.failedFuture(err))
        .map(resp -> {
          long count = resp.get(0).toLong();
          long ttl = resp.get(1).toLong();
          if (count < 0) {
            return new Decision(true, false, limit, 0, 0);
          }
          return new Decision(false, count <= limit, limit, Math.max(0, limit - count), Math.max(ttl, 0));
        });
  }

  private Future<Response> eval(Command command, String script, String counter, String deny, int limit, int window) {
    return redis.send(Request.cmd(command).arg(script).arg(2).arg(counter).arg(deny).arg(limit).arg(window));
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
