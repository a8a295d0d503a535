package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis client whose every command answers within {@code redis.timeoutMs}: a Redis that is down fails
 * at once anyway, but one that is frozen or cut off mid-stream would otherwise hold each request until
 * its caller gave up. Callers turn the timeout into a quick 503, never a hang.
 */
public final class BoundedRedis implements Redis {

  private final Redis redis;
  private final long timeoutMs;

  public BoundedRedis(Redis redis, long timeoutMs) {
    this.redis = redis;
    this.timeoutMs = timeoutMs;
  }

  public long timeoutMs() {
    return timeoutMs;
  }

  @Override
  public Future<RedisConnection> connect() {
    Future<RedisConnection> connecting = redis.connect();
    return connecting.timeout(timeoutMs, TimeUnit.MILLISECONDS).onFailure(err -> {
      // Given up on, but it may still arrive: back to the pool, not lost from it.
      connecting.onSuccess(RedisConnection::close);
    });
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  @Override
  public Future<Response> send(Request command) {
    return redis.send(command).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return redis.batch(commands).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
