package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.function.Supplier;

/**
 * A domain's public reads cached in Redis, shared by every node (education's catalogue, the marketplace's
 * job lists; the key layouts are in {@link SharedRedis}). Entries live under a version; any change to what
 * they show increments it, so every node's next read misses and sees the change at once, and old entries
 * simply expire. The gateway answers hits itself; misses go to the domain, which reads its database and
 * fills the entry under the version it saw before reading (a change meanwhile leaves it unreachable, never
 * stale). A cache that is down only costs speed: reads go to the database.
 * <p>
 * An entry is fresh for the configured TTL and kept as long again: past its fresh life, one reader (the
 * first to claim the entry's refresh marker) reloads it while the others are still answered from it, so
 * entries expiring never send every reader to the database at once. The TTL bounds only what changed
 * without a version bump (an operator's fix in SQL); such a change shows within about twice the TTL.
 */
public final class VersionedCache {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VersionedCache.class);

  /**
   * KEYS[1] version key; ARGV[1] entry prefix, ARGV[2] entry name, ARGV[3] fresh life in ms → {version,
   * entry or false}: false also when the entry is past its fresh life and this reader is the one to reload
   * it (no reload under way, or a gateway claimed it for this request: 'pending').
   */
  private static final String LOOKUP = """
      local v = redis.call('GET', KEYS[1]) or '0'
      local key = ARGV[1] .. v .. ':' .. ARGV[2]
      local entry = redis.call('GET', key)
      if not entry or redis.call('PTTL', key) > tonumber(ARGV[3]) then return {v, entry} end
      if redis.call('GET', key .. '~refresh') == 'loading' then return {v, entry} end
      redis.call('SET', key .. '~refresh', 'loading', 'EX', 10)
      return {v, false}""";

  /**
   * KEYS[1] version key, KEYS[2] the change's marker; ARGV[1] marker lifetime, ARGV[2] event id ('' for a
   * change without an event) → the new version, or false when this change already bumped it.
   */
  private static final String BUMP = """
      if ARGV[2] == '' or redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
        return redis.call('INCR', KEYS[1])
      end
      return false""";
  private static final int MARKER_SECONDS = 86_400;

  private final String versionKey;
  private final String entryPrefix;
  private final String name;

  /** A cache under {@code versionKey}, entries under {@code entryPrefix}; {@code name} says whose, in logs. */
  public VersionedCache(String versionKey, String entryPrefix, String name) {
    this.versionKey = versionKey;
    this.entryPrefix = entryPrefix;
    this.name = name;
  }

  /** The key holding the current version. */
  public String versionKey() {
    return versionKey;
  }

  /** The prefix of entry keys: an entry is {@code <prefix><version>:<entry name>}. */
  public String entryPrefix() {
    return entryPrefix;
  }

  /** One round trip: the current version and the entry cached under it (if any, and not to be reloaded now). */
  public Request lookup(String entry, int ttlSeconds) {
    return Request.cmd(Command.EVAL).arg(LOOKUP).arg(1).arg(versionKey).arg(entryPrefix).arg(entry)
        .arg(ttlSeconds * 1000L);
  }

  /** The version of a {@link #lookup} answer. */
  public static String version(Response response) {
    return response.get(0).toString();
  }

  /** The cached JSON of a {@link #lookup} answer, or null on a miss. */
  public static String cached(Response response) {
    Response entry = response.size() > 1 ? response.get(1) : null;
    return entry == null ? null : entry.toString();
  }

  /**
   * Stores an entry, fresh for {@code ttlSeconds} less up to a quarter of it at random (entries filled
   * together, as after a change, then fall due spread out), and kept {@code ttlSeconds} longer to answer
   * from while one reader reloads it. The refresh marker goes: the next reload is this entry's own.
   */
  private Future<Response> store(Redis redis, String version, String entry, String json, int ttlSeconds) {
    int spread = ttlSeconds / 4;
    int fresh = ttlSeconds - (spread == 0 ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextInt(spread + 1));
    String key = entryPrefix + version + ":" + entry;
    return redis.batch(java.util.List.of(Request.cmd(Command.SET).arg(key).arg(json).arg("EX").arg(fresh + ttlSeconds),
            Request.cmd(Command.DEL).arg(key + "~refresh")))
        .map(replies -> replies.get(0));
  }

  /**
   * After a change commits: every node's next read misses. Never fails: if Redis cannot be reached now, the
   * change's event does it ({@link #onChanged}); a change without an event ({@code eventId} null) is then
   * seen when its entries expire.
   */
  public Future<Void> invalidate(Redis redis, String eventId) {
    return bump(redis, eventId)
        .onFailure(err -> log.warn("{} cache not invalidated yet (the change's event will): {}", name, err.getMessage()))
        .otherwiseEmpty();
  }

  /**
   * Nexus: the same invalidation, driven by the change's own event, so it happens even when the node that
   * made the change died between its commit and {@link #invalidate}. Once per change: whichever comes second
   * finds the change's marker and leaves the version alone. A Redis failure fails the handler, and the event
   * is delivered again.
   */
  public Future<Void> onChanged(Redis redis, String eventId) {
    return bump(redis, eventId);
  }

  /** The entry's JSON object from the cache, or {@code load}'s (then stored for {@code ttlSeconds}; 0: none). */
  public Future<JsonObject> read(Redis redis, String entry, int ttlSeconds, Supplier<Future<JsonObject>> load) {
    return readText(redis, entry, ttlSeconds, () -> load.get().map(JsonObject::encode)).map(JsonObject::new);
  }

  /** The entry's text (whatever JSON the answer is) from the cache, or {@code load}'s, stored as for {@link #read}. */
  public Future<String> readText(Redis redis, String entry, int ttlSeconds, Supplier<Future<String>> load) {
    if (ttlSeconds <= 0) {
      return load.get();
    }
    return redis.send(lookup(entry, ttlSeconds))
        .compose(found -> {
          String text = cached(found);
          if (text != null) {
            return Future.succeededFuture(text);
          }
          String version = version(found);
          return load.get().onSuccess(value -> store(redis, version, entry, value, ttlSeconds)
              .onFailure(err -> log.debug("{} cache write failed: {}", name, err.getMessage())));
        }, err -> {
          log.debug("{} cache unavailable: {}", name, err.getMessage());
          return load.get();
        });
  }

  private Future<Void> bump(Redis redis, String eventId) {
    return redis.send(Request.cmd(Command.EVAL).arg(BUMP).arg(2).arg(versionKey)
            .arg(entryPrefix + "bumped:" + (eventId == null ? "-" : eventId))
            .arg(MARKER_SECONDS).arg(eventId == null ? "" : eventId))
        .mapEmpty();
  }
}
