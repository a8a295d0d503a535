package io.azora.gateway;

import io.azora.platform.SharedRedis;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Fixed-window rate limiting in Redis, shared by every gateway node, in one atomic script per request.
 * The same round trip checks the session deny-list, so a logged-out token fails at once, and, for routes
 * answered from a versioned cache, looks the answer up, so a cache hit costs one round trip in all.
 */
final class RateLimiter {

  /**
   * KEYS[1] counter, KEYS[2] deny-list entry, optional KEYS[3] cache version key; ARGV[1] limit, ARGV[2]
   * window, optional ARGV[3] cache entry prefix, ARGV[4] entry name, ARGV[5] the version the caller
   * already holds a copy of ('' for none) and ARGV[6] the entry's fresh life in ms → {count or -1 if denied,
   * ttl, [version, [entry]]}: the entry only when allowed, found, and not the caller's version. An entry past
   * its fresh life ({@link io.azora.platform.VersionedCache}) is still answered, except to the one request
   * that claims its refresh ('pending': the domain, asked next, reloads it).
   */
  private static final String SCRIPT = """
      if redis.call('EXISTS', KEYS[2]) == 1 then return {-1, 0} end
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
      local ttl = redis.call('TTL', KEYS[1])
      if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
      if KEYS[3] and n <= tonumber(ARGV[1]) then
        local v = redis.call('GET', KEYS[3]) or '0'
        if v == ARGV[5] then return {n, ttl, v} end
        local key = ARGV[3] .. v .. ':' .. ARGV[4]
        local entry = redis.call('GET', key)
        if not entry then return {n, ttl, v} end
        if redis.call('PTTL', key) <= tonumber(ARGV[6])
            and redis.call('SET', key .. '~refresh', 'pending', 'NX', 'EX', 10) then
          return {n, ttl, v}
        end
        return {n, ttl, v, entry}
      end
      return {n, ttl}""";
  private static final String SHA = sha1(SCRIPT);

  /**
   * A cached answer to look up with the count: the entry {@code entry} under the version in
   * {@code versionKey}, unless {@code knownVersion} is current, in which case {@code near} holds it.
   */
  record CacheProbe(NearCache near, String versionKey, String entryPrefix, String entry, String knownVersion,
                    long freshMs) {
    /** The answer, or null on a miss. */
    Buffer answer(Decision decision) {
      return near.answer(this, decision);
    }
  }

  /**
   * The outcome of one request against its limit, and for a probe: the current version, and the entry
   * under it unless the probe already held that version or there is none.
   */
  record Decision(boolean denied, boolean allowed, int limit, long remaining, long resetSeconds,
                  String version, Buffer cached) {
  }

  private final RedisLink redis;
  private final String prefix;

  RateLimiter(RedisLink redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix;
  }

  /**
   * Counts a request of {@code subject}; {@code sessionId} (may be null) is checked against the deny-list
   * and {@code probe} (may be null) looked up when the request is allowed.
   */
  Future<Decision> hit(String subject, String sessionId, int limit, int windowSeconds, CacheProbe probe) {
    String counter = prefix + "rl:" + subject;
    String deny = SharedRedis.DenyList.key(prefix, sessionId == null ? "-" : sessionId);
    return redis.send(script(Command.EVALSHA, SHA, counter, deny, limit, windowSeconds, probe))
        .recover(err -> err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT")
            ? redis.send(script(Command.EVAL, SCRIPT, counter, deny, limit, windowSeconds, probe))
            : Future.failedFuture(err))
        .map(resp -> {
          long count = resp.get(0).toLong();
          long ttl = resp.get(1).toLong();
          if (count < 0) {
            return new Decision(true, false, limit, 0, 0, null, null);
          }
          String version = resp.size() > 2 ? resp.get(2).toString() : null;
          Buffer cached = resp.size() > 3 ? resp.get(3).toBuffer() : null;  // the stored bytes, not decoded
          return new Decision(false, count <= limit, limit, Math.max(0, limit - count), Math.max(ttl, 0),
              version, cached);
        });
  }

  private static Request script(Command command, String script, String counter, String deny, int limit, int window,
                                CacheProbe probe) {
    Request request = Request.cmd(command).arg(script).arg(probe == null ? 2 : 3).arg(counter).arg(deny);
    if (probe != null) {
      request.arg(probe.versionKey());
    }
    request.arg(limit).arg(window);
    return probe == null ? request : request.arg(probe.entryPrefix()).arg(probe.entry())
        .arg(probe.knownVersion() == null ? "" : probe.knownVersion()).arg(probe.freshMs());
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
