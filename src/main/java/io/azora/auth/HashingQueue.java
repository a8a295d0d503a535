package io.azora.auth;

import io.azora.platform.NodeMetrics;
import io.azora.platform.Problems;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Password hashing (deliberately slow) on worker threads, with a bound on how many run or wait per node
 * ({@code auth.maxPendingHashes}): past it a login or registration is answered 503 with Retry-After at
 * once, rather than queued behind minutes of hashing while its client times out. Verified work, not a
 * cache: nothing about the password is decided here.
 */
final class HashingQueue {

  private static final Map<Vertx, HashingQueue> PER_VERTX = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private final Vertx vertx;
  private final int limit;
  private final AtomicInteger pending = new AtomicInteger();
  private final Counter rejected;

  private HashingQueue(Vertx vertx, int limit) {
    this.vertx = vertx;
    this.limit = limit;
    Gauge.builder("azora.auth.hashes.pending", pending, AtomicInteger::get)
        .description("Password hashes running or waiting on this node").register(NodeMetrics.of(vertx));
    this.rejected = Counter.builder("azora.auth.hashes.rejected")
        .description("Logins and registrations answered 503 because the hashing queue was full").register(NodeMetrics.of(vertx));
  }

  /** The node's queue; the first caller's {@code limit} holds (every auth instance is given the same). */
  static HashingQueue of(Vertx vertx, int limit) {
    return PER_VERTX.computeIfAbsent(vertx, v -> new HashingQueue(v, limit));
  }

  /** Hashes now if a place is free, else fails 503 busy at once. */
  <T> Future<T> submit(Callable<T> work) {
    return reserve().compose(place -> place.run(work));
  }

  /**
   * Takes a place before the work is known to be needed (a login takes it before counting the attempt
   * against the account, so an attempt refused as busy is never counted as a failure); fails 503 busy at
   * once when none is free. The place is given back by {@link Place#run}'s end or {@link Place#release}.
   */
  Future<Place> reserve() {
    if (pending.incrementAndGet() > limit) {
      pending.decrementAndGet();
      rejected.increment();
      return Problems.fail(Problems.busy("Too many sign-ins at once; try again in a moment", 1));
    }
    return Future.succeededFuture(new Place());
  }

  final class Place {
    private final java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean(true);

    <T> Future<T> run(Callable<T> work) {
      return vertx.executeBlocking(work, false).onComplete(ar -> release());
    }

    /** Gives the place back (once, however often called). */
    void release() {
      if (held.compareAndSet(true, false)) {
        pending.decrementAndGet();
      }
    }
  }
}
