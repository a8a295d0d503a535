package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A background task run every period, never two runs at once, whose stop waits for the run in flight: a
 * verticle that closed its pool or Redis client under a running sweep logged a failure on every shutdown
 * that happened to meet one.
 */
public final class Periodic {

  private static final Logger log = LoggerFactory.getLogger(Periodic.class);
  /** The longest a stop waits for the run in flight: a run stuck on a dead connection must not hold a shutdown. */
  static final long STOP_WAIT_MS = 5_000;

  private final Vertx vertx;
  private final Supplier<Future<?>> task;
  private final String failure;
  private final long timer;
  /** A run older than this is given up on (it never answered): the schedule goes on without it. */
  private final long staleMs;
  private boolean stopped;
  private Future<?> inFlight = Future.succeededFuture();
  private long startedAt;

  private Periodic(Vertx vertx, Duration period, Supplier<Future<?>> task, String failure) {
    this.vertx = vertx;
    this.task = task;
    this.failure = failure;
    this.staleMs = Math.min(Math.max(period.toMillis() * 10, 30_000), 900_000);
    this.timer = vertx.setPeriodic(period.toMillis(), id -> run());
  }

  /** Runs {@code task} every {@code period}, logging (not throwing) its failures as "{@code failure}: cause". */
  public static Periodic every(Vertx vertx, Duration period, Supplier<Future<?>> task, String failure) {
    return new Periodic(vertx, period, task, failure);
  }

  private void run() {
    if (stopped) {
      return;
    }
    if (!inFlight.isComplete()) {
      if (System.currentTimeMillis() - startedAt < staleMs) {
        return;  // the previous run is slower than the period: skip a beat rather than pile up
      }
      log.warn("{}: a run started {} ms ago never finished; running again", failure, System.currentTimeMillis() - startedAt);
    }
    startedAt = System.currentTimeMillis();
    Future<?> run;
    try {
      run = task.get();
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    inFlight = run.onFailure(err -> log.warn("{}: {}", failure, String.valueOf(err.getMessage())));
  }

  /**
   * No further runs; completes when the one in flight (if any) has finished, however it ended, or after
   * {@link #STOP_WAIT_MS} (what it waits on is closed next, which ends it).
   */
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    if (inFlight.isComplete()) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    long giveUp = vertx.setTimer(STOP_WAIT_MS, id -> done.tryComplete());
    inFlight.onComplete(ar -> {
      vertx.cancelTimer(giveUp);
      done.tryComplete();
    });
    return done.future();
  }
}
