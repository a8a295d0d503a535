package io.azora.gateway;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Redis connection per gateway verticle, pipelining every request's command instead of taking a
 * pooled connection each time (the hot path: one rate-limit script per request). Reconnects on failure.
 */
final class RedisLink {

  private final Redis redis;
  private Future<RedisConnection> connection;

  RedisLink(Redis redis) {
    this.redis = redis;
  }

  Future<Response> send(Request request) {
    Future<RedisConnection> current = connection;
    if (current == null || current.failed()) {
      current = redis.connect().onSuccess(c -> {
        c.exceptionHandler(err -> connection = null);
        c.endHandler(v -> connection = null);
      });
      connection = current;
    }
    Future<Response> result = current.compose(c -> c.send(request));
    // The connection answers on the context that opened it; hand the answer back to the caller's own
    // (request) context, which carries the request id.
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return result;
    }
    Promise<Response> back = ((ContextInternal) caller).promise();
    result.onComplete(back);
    return back.future();
  }
}
