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

  private final Vertx vertx;
  private final Supplier<Future<?>> task;
  private final String failure;
  private final long timer;
  private boolean stopped;
  private Future<?> inFlight = Future.succeededFuture();

  private Periodic(Vertx vertx, Duration period, Supplier<Future<?>> task, String failure) {
    this.vertx = vertx;
    this.task = task;
    this.failure = failure;
    this.timer = vertx.setPeriodic(period.toMillis(), id -> run());
  }

  /** Runs {@code task} every {@code period}, logging (not throwing) its failures as "{@code failure}: cause". */
  public static Periodic every(Vertx vertx, Duration period, Supplier<Future<?>> task, String failure) {
    return new Periodic(vertx, period, task, failure);
  }

  private void run() {
    if (stopped || !inFlight.isComplete()) {
      return;  // the previous run is slower than the period: skip a beat rather than pile up
    }
    Future<?> run;
    try {
      run = task.get();
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    inFlight = run.onFailure(err -> log.warn("{}: {}", failure, String.valueOf(err.getMessage())));
  }

  /** No further runs; completes when the one in flight (if any) has finished, however it ended. */
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    Promise<Void> done = Promise.promise();
    inFlight.onComplete(ar -> done.tryComplete());
    return done.future();
  }
}
