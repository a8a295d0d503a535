package io.azora.gateway;

import io.azora.platform.RequestContext;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The gateway's own copies of versioned Redis cache entries (the catalogue), so a hit moves a few bytes
 * from Redis instead of the whole page. Redis stays the authority: every read asks it, in the rate
 * limiter's round trip, for the current version, and a copy is used only when it was taken under that
 * version (any change bumps it, so an edit still shows at once on every node). A copy lives as long as a
 * Redis entry may (the configured TTL: the bound on anything that changed without a version bump, such
 * as an operator's fix in SQL), within a memory bound. One instance per gateway verticle (its event loop
 * only).
 */
final class NearCache {

  private record Copy(String version, Buffer body) {
  }

  private final Cache<String, Copy> copies;
  /** How long a Redis entry is fresh: the cache's configured TTL. */
  private final long freshMs;
  /** Loads under way, by entry: concurrent misses of one entry wait for one load, not one each. */
  private final Map<String, Future<?>> loading = new HashMap<>();

  NearCache(long maxBytes, Duration lifetime) {
    this.copies = Caffeine.newBuilder()
        .executor(Runnable::run)  // upkeep on the caller's event loop, not a pool thread
        .maximumWeight(maxBytes)
        .weigher((String entry, Copy copy) -> entry.length() + copy.body().length())
        .expireAfterWrite(lifetime)
        .build();
    this.freshMs = lifetime.toMillis();
  }

  /** The probe for {@code entry}: Redis sends the entry's bytes only if the copy held here is not current. */
  RateLimiter.CacheProbe probe(String versionKey, String entryPrefix, String entry) {
    Copy copy = copies.getIfPresent(entry);
    return new RateLimiter.CacheProbe(this, versionKey, entryPrefix, entry, copy == null ? null : copy.version(), freshMs);
  }

  /** The cached answer to the probe, given what Redis said; null on a miss. */
  Buffer answer(RateLimiter.CacheProbe probe, RateLimiter.Decision decision) {
    if (decision.cached() != null) {
      copies.put(probe.entry(), new Copy(decision.version(), decision.cached()));
      return decision.cached();
    }
    if (decision.version() == null || !decision.version().equals(probe.knownVersion())) {
      return null;
    }
    Copy copy = copies.getIfPresent(probe.entry());
    // Evicted or replaced since the probe was made: only a copy of the version Redis confirmed will do.
    return copy != null && copy.version().equals(decision.version()) ? copy.body() : null;
  }

  /**
   * The answer of a request the cache probe missed ({@link Api#CACHE_MISS}): loaded once for every request
   * missing the same entry meanwhile; a request that was never probed (the cache off) just loads.
   */
  <T> Future<T> afterMiss(RoutingContext ctx, Supplier<Future<T>> load) {
    RateLimiter.CacheProbe miss = ctx.get(Api.CACHE_MISS);
    return miss == null ? load.get() : once(miss.entry(), load);
  }

  /**
   * A miss of {@code entry}: {@code load} runs once for all the requests that miss it meanwhile (after
   * an edit every reader misses at the same moment; without this, each would go to the database).
   */
  @SuppressWarnings("unchecked")
  <T> Future<T> once(String entry, Supplier<Future<T>> load) {
    Future<T> current = (Future<T>) loading.get(entry);
    if (current != null) {
      return RequestContext.resumeHere(current);  // made on the first missing request's context
    }
    Future<T> started = load.get();
    if (!started.isComplete()) {
      loading.put(entry, started);
      started.onComplete(ar -> loading.remove(entry, started));
    }
    return started;
  }
}
