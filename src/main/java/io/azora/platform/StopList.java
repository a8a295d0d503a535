package io.azora.platform;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a verticle started and must stop: each part is added as it starts, and all are stopped when the
 * verticle stops (before its pool closes), whichever of them failed to start: in the reverse order of
 * their start, each once the one after it has stopped, so that nothing stops under a part still using it
 * (the service binding drains its calls first, then the Nexus consumers finish their catch-ups, and only
 * then do the relays whose feeds those catch-ups read go).
 */
public final class StopList {

  private final List<Supplier<Future<?>>> stops = new ArrayList<>();

  /** {@code started}, remembered to be stopped with {@code stop}. */
  public <T> T add(T started, Function<T, Future<?>> stop) {
    stops.add(() -> stop.apply(started));
    return started;
  }

  /** Stops every part, last started first; completes when all have, whether or not they succeeded. */
  public Future<Void> stopAll() {
    Future<?> chain = Future.succeededFuture();
    for (int i = stops.size() - 1; i >= 0; i--) {
      Supplier<Future<?>> stop = stops.get(i);
      chain = chain.transform(ar -> {
        try {
          return stop.get().<Object>map(v -> null).otherwise((Object) null);
        } catch (RuntimeException e) {
          return Future.succeededFuture();
        }
      });
    }
    return chain.mapEmpty();
  }
}
