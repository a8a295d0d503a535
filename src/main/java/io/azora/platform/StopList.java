package io.azora.platform;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a verticle started and must stop: each part is added as it starts, and all are stopped together
 * when the verticle stops (before its pool closes), whichever of them failed to start.
 */
public final class StopList {

  private final List<Supplier<Future<?>>> stops = new ArrayList<>();

  /** {@code started}, remembered to be stopped with {@code stop}. */
  public <T> T add(T started, Function<T, Future<?>> stop) {
    stops.add(() -> stop.apply(started));
    return started;
  }

  /** Stops every part at once; completes when all have, whether or not they succeeded. */
  public Future<Void> stopAll() {
    return Future.join(stops.stream().<Future<?>>map(Supplier::get).toList()).mapEmpty();
  }
}
