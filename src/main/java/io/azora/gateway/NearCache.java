package io.azora.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.vertx.core.buffer.Buffer;

import java.util.concurrent.TimeUnit;

/**
 * The gateway's own copy of versioned Redis cache entries (the catalogue), so a hit moves a few bytes
 * from Redis instead of the whole page. Redis stays the authority: every read asks it, in the rate
 * limiter's round trip, for the current version, and the copy is used only when it was taken under that
 * version (any change bumps it, so an edit still shows at once on every node). Otherwise Redis sends its
 * entry, which replaces the copy. Copies expire with the Redis entry they came from; memory is bounded.
 */
final class NearCache {

  /** An entry as fetched: the version it belongs to, its bytes, and when its Redis original expires. */
  private record Copy(String version, Buffer body, long expiresAtNanos) {
  }

  private final Cache<String, Copy> copies;

  NearCache(long maxBytes) {
    this.copies = Caffeine.newBuilder()
        .executor(Runnable::run)  // upkeep on the caller's event loop: each verticle has its own copies
        .maximumWeight(maxBytes)
        .weigher((String entry, Copy copy) -> entry.length() + copy.body().length())
        .expireAfter(new Expiry<String, Copy>() {
          @Override
          public long expireAfterCreate(String entry, Copy copy, long now) {
            return Math.max(0, copy.expiresAtNanos() - now);
          }

          @Override
          public long expireAfterUpdate(String entry, Copy copy, long now, long current) {
            return expireAfterCreate(entry, copy, now);
          }

          @Override
          public long expireAfterRead(String entry, Copy copy, long now, long current) {
            return current;
          }
        })
        .build();
  }

  /** The probe for {@code entry}: Redis sends the entry's bytes only if the copy held here is not current. */
  RateLimiter.CacheProbe probe(String versionKey, String entryPrefix, String entry) {
    Copy copy = copies.getIfPresent(entry);
    return new RateLimiter.CacheProbe(this, versionKey, entryPrefix, entry, copy == null ? null : copy.version());
  }

  /** The cached answer to the probe, given what Redis said; null on a miss. */
  Buffer answer(RateLimiter.CacheProbe probe, RateLimiter.Decision decision) {
    if (decision.cached() != null) {
      copies.put(probe.entry(), new Copy(decision.version(), decision.cached(),
          System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(decision.cachedTtlMs())));
      return decision.cached();
    }
    if (decision.version() == null || !decision.version().equals(probe.knownVersion())) {
      return null;
    }
    Copy copy = copies.getIfPresent(probe.entry());
    // Evicted or replaced since the probe was made: only a copy of the version Redis confirmed will do.
    return copy != null && copy.version().equals(decision.version()) ? copy.body() : null;
  }
}
