package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A background task's stop waits for its run in flight (a verticle closes its Redis client and pool right
 * after: a sweep cut off there logged "connection lost" on a clean shutdown), and a run slower than the
 * period is never overlapped by the next.
 */
@ExtendWith(VertxExtension.class)
class PeriodicTest {

  @Test
  void stopWaitsForTheRunInFlightAndRunsNeverOverlap(Vertx vertx) throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    AtomicInteger runs = new AtomicInteger();
    AtomicBoolean finished = new AtomicBoolean();
    // Each run takes 300 ms against a 50 ms period.
    CompletableFuture<Periodic> started = new CompletableFuture<>();
    vertx.runOnContext(v -> started.complete(Periodic.every(vertx, Duration.ofMillis(50), () -> {
      runs.incrementAndGet();
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      finished.set(false);
      Promise<Void> run = Promise.promise();
      vertx.setTimer(300, id -> {
        running.decrementAndGet();
        finished.set(true);
        run.complete();
      });
      return run.future();
    }, "test task failed")));
    Periodic task = started.get(5, TimeUnit.SECONDS);

    Thread.sleep(1_000);
    assertEquals(1, mostAtOnce.get(), "a run started while the previous one was still going");
    assertTrue(runs.get() >= 2 && runs.get() <= 4, "runs in a second, each 300 ms long: " + runs.get());

    // Stop mid-run (the last run began at most 350 ms ago and lasts 300 ms): stop completes only after it.
    while (finished.get()) {
      Thread.sleep(5);
    }
    CompletableFuture<Boolean> finishedAtStop = new CompletableFuture<>();
    vertx.runOnContext(v -> task.stop().onComplete(ar -> finishedAtStop.complete(finished.get())));
    assertTrue(finishedAtStop.get(5, TimeUnit.SECONDS), "stop completed before the run in flight had finished");
    int atStop = runs.get();
    Thread.sleep(300);
    assertEquals(atStop, runs.get(), "a run started after stop");
    assertEquals(0, running.get());
  }

  @Test
  void aRunThatNeverEndsHoldsTheStopOnlySoLong(Vertx vertx) throws Exception {
    // A run stuck on a connection that never answers: the stop goes on after its wait, so the pool closes.
    CompletableFuture<Periodic> started = new CompletableFuture<>();
    AtomicInteger runs = new AtomicInteger();
    vertx.runOnContext(v -> started.complete(Periodic.every(vertx, Duration.ofMillis(20), () -> {
      runs.incrementAndGet();
      return Promise.<Void>promise().future();
    }, "test task failed")));
    Periodic task = started.get(5, TimeUnit.SECONDS);
    while (runs.get() == 0) {
      Thread.sleep(5);
    }
    long begun = System.currentTimeMillis();
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    vertx.runOnContext(v -> task.stop().onComplete(ar -> stopped.complete(null)));
    stopped.get(Periodic.STOP_WAIT_MS + 5_000, TimeUnit.MILLISECONDS);
    long waited = System.currentTimeMillis() - begun;
    assertTrue(waited >= Periodic.STOP_WAIT_MS - 100, "waited for the run first: " + waited + " ms");
    assertEquals(1, runs.get(), "no second run while the first is in flight");
  }

  @Test
  void aFailingOrThrowingTaskKeepsItsSchedule(Vertx vertx) throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CompletableFuture<Periodic> started = new CompletableFuture<>();
    vertx.runOnContext(v -> started.complete(Periodic.every(vertx, Duration.ofMillis(40), () -> {
      if (runs.incrementAndGet() % 2 == 0) {
        throw new IllegalStateException("thrown");
      }
      return Future.failedFuture("failed");
    }, "test task failed")));
    Periodic task = started.get(5, TimeUnit.SECONDS);
    Thread.sleep(500);
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    vertx.runOnContext(v -> task.stop().onComplete(ar -> stopped.complete(null)));
    stopped.get(5, TimeUnit.SECONDS);
    assertTrue(runs.get() >= 4, "the schedule went on after failures: " + runs.get() + " runs");
    assertFalse(runs.get() > 20, "more runs than periods: " + runs.get());
  }
}
