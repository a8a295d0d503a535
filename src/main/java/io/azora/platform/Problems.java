package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

/**
 * Domain errors as values: a {@link ServiceException} whose failure code is the HTTP status and whose
 * debug info carries the contract's stable {@code code}, optional field errors and extra members
 * (e.g. {@code mfaToken}, {@code retryAfter}). It crosses the event bus intact and the gateway turns it
 * into one problem+json shape.
 */
public final class Problems {

  private Problems() {
  }

  public static ServiceException of(int status, String code, String detail) {
    return new ServiceException(status, detail, new JsonObject().put("code", code));
  }

  public static ServiceException invalid(String field, String message) {
    return new ServiceException(400, message, new JsonObject().put("code", "validation_failed")
        .put("errors", new JsonArray().add(new JsonObject().put("field", field).put("message", message))));
  }

  public static ServiceException unauthorized(String detail) {
    return of(401, "unauthorized", detail);
  }

  public static ServiceException forbidden(String detail) {
    return of(403, "forbidden", detail);
  }

  public static ServiceException notFound(String detail) {
    return of(404, "not_found", detail);
  }

  public static ServiceException conflict(String detail) {
    return of(409, "conflict", detail);
  }

  public static ServiceException tooMany(String detail, long retryAfterSeconds) {
    ServiceException e = of(429, "rate_limited", detail);
    e.getDebugInfo().put("retryAfter", retryAfterSeconds);
    return e;
  }

  /** 503 {@code busy}: a bounded queue is full; the client retries after {@code retryAfterSeconds}. */
  public static ServiceException busy(String detail, long retryAfterSeconds) {
    ServiceException e = of(503, "busy", detail);
    e.getDebugInfo().put("retryAfter", retryAfterSeconds);
    return e;
  }

  public static <T> Future<T> fail(ServiceException e) {
    return Future.failedFuture(e);
  }
}
