package io.azora.support;

import io.vertx.core.Future;
import io.vertx.serviceproxy.ServiceException;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** What a service call answered, as a client would see it: the status and the contract's code. */
public record Outcome(int status, String code, Object value) {

  /** Waits for {@code call}: 200 and its value, or the failure's status and code (500 for a non-service failure). */
  public static <T> Outcome of(Future<T> call) {
    try {
      return new Outcome(200, null, call.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ServiceException se) {
        return new Outcome(se.failureCode(), se.getDebugInfo() == null ? null : se.getDebugInfo().getString("code"), se);
      }
      return new Outcome(500, e.getCause().toString(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("no answer: " + e, e);
    }
  }

  @Override
  public String toString() {
    return status + (code == null ? "" : " " + code);
  }
}
