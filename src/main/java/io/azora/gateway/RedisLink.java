package io.azora.gateway;

import io.azora.platform.BoundedRedis;
import io.azora.platform.RequestContext;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.concurrent.TimeUnit;

/**
 * One Redis connection per gateway verticle, pipelining every request's command instead of taking a
 * pooled connection each time (the hot path: one rate-limit script per request). Every command answers
 * within {@code redis.timeoutMs}; a connection that let a command time out is replaced (Redis may have been
 * restarted or cut off), and one that failed is reopened on the next command.
 */
final class RedisLink {

  private final BoundedRedis redis;
  private Future<RedisConnection> connection;

  RedisLink(BoundedRedis redis) {
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
    Future<RedisConnection> used = current;
    Future<Response> result = current.compose(c -> c.send(request))
        .timeout(redis.timeoutMs(), TimeUnit.MILLISECONDS)
        .onFailure(err -> {
          if (err instanceof java.util.concurrent.TimeoutException && connection == used) {
            connection = null;
            used.onSuccess(RedisConnection::close);
          }
        });
    // The connection answers on the context that opened it: back to the caller's own (request) context.
    return RequestContext.resumeHere(result);
  }
}
