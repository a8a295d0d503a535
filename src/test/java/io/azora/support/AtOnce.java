package io.azora.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Runs {@code n} calls truly at once (one thread each, released together) and returns their results in order. */
public final class AtOnce {

  private AtOnce() {
  }

  public static <T> List<T> run(int n, IntFunction<T> call) {
    ExecutorService threads = Executors.newFixedThreadPool(n);
    CountDownLatch ready = new CountDownLatch(n);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        futures.add(threads.submit(() -> {
          ready.countDown();
          go.await();
          return call.apply(index);
        }));
      }
      ready.await(10, TimeUnit.SECONDS);
      go.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } catch (Exception e) {
      throw new AssertionError("calls at once failed: " + e, e);
    } finally {
      threads.shutdownNow();
    }
  }
}
