package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.serviceproxy.ServiceBinder;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;

/** What every domain verticle wires the same way: its service on the bus, its Redis client. */
public final class Services {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Services.class);

  /** How long a stopping domain waits for the calls under way (the gateway's own timeout is 5 s). */
  static final long DRAIN_MS = 8_000;

  private Services() {
  }

  /** The service calls under way on one binding: counted around each method that answers a future. */
  static final class InFlight {
    private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
    private volatile io.vertx.core.Promise<Void> idle;

    @SuppressWarnings("unchecked")
    <T> T counting(Class<T> type, T impl) {
      return (T) java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
        if (method.getDeclaringClass() == Object.class || !Future.class.isAssignableFrom(method.getReturnType())) {
          return invoke(method, impl, args);
        }
        count.incrementAndGet();
        Future<?> result;
        try {
          result = (Future<?>) invoke(method, impl, args);
        } catch (RuntimeException e) {
          done();
          throw e;
        }
        return ((Future<Object>) result).onComplete(ar -> done()).recover(InFlight::refusedDownstream);
      });
    }

    /**
     * A domain this call went on to refused its caller (a bare 403 from that domain's caller check, which
     * this binding would pass on as an unexplained failure): said as what it is.
     */
    private static Future<Object> refusedDownstream(Throwable err) {
      return Future.failedFuture(err instanceof ReplyException re && !(re instanceof ServiceException)
          && re.failureType() == ReplyFailure.RECIPIENT_FAILURE && re.failureCode() == 403
          ? Problems.of(403, "caller_unverified", re.getMessage()) : err);
    }

    private static Object invoke(java.lang.reflect.Method method, Object impl, Object[] args) {
      try {
        return method.invoke(impl, args);
      } catch (java.lang.reflect.InvocationTargetException e) {
        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }

    private void done() {
      if (count.decrementAndGet() == 0 && idle != null) {
        idle.tryComplete();
      }
    }

    /** Completes when no call is under way, or after {@code maxMs} (a call stuck that long is abandoned). */
    Future<Void> drained(Vertx vertx, long maxMs) {
      io.vertx.core.Promise<Void> promise = io.vertx.core.Promise.promise();
      idle = promise;
      if (count.get() == 0) {
        promise.tryComplete();
      } else {
        long timer = vertx.setTimer(maxMs, id -> promise.tryComplete());
        promise.future().onComplete(ar -> vertx.cancelTimer(timer));
      }
      return promise.future();
    }
  }

  /**
   * A domain's service on the bus at {@code address} and its health probe (see {@link #healthEndpoint}),
   * both on {@code stops}; completes when both are registered.
   */
  public static <T> Future<Void> serve(Vertx vertx, StopList stops, String address, Class<T> type, T impl,
                                       String domain, Pool pool) {
    return serve(vertx, stops, address, type, impl, domain, pool, null);
  }

  /** {@link #serve} checking each call's signed caller against {@code rule} (null: no check). */
  public static <T> Future<Void> serve(Vertx vertx, StopList stops, String address, Class<T> type, T impl,
                                       String domain, Pool pool, CallerAssertion.Rule rule) {
    InFlight inFlight = new InFlight();
    // Stopping: no new calls, then the calls under way finish (their replies sent) before the pool closes.
    MessageConsumer<JsonObject> binding = stops.add(bind(vertx, address, type, inFlight.counting(type, impl), rule),
        consumer -> consumer.unregister().compose(v -> inFlight.drained(vertx, DRAIN_MS)));
    MessageConsumer<Object> health = stops.add(healthEndpoint(vertx, domain, pool), MessageConsumer::unregister);
    return Future.all(binding.completion(), health.completion()).mapEmpty();
  }

  /**
   * Binds {@code impl} at {@code address}. Each call restores the caller's request id and trace from the
   * message headers first, so the domain's log lines and Nexus events carry them; a call whose deadline
   * passed while it queued is refused (503) rather than done unseen.
   */
  public static <T> MessageConsumer<JsonObject> bind(Vertx vertx, String address, Class<T> type, T impl) {
    return bind(vertx, address, type, impl, null);
  }

  /** {@link #bind}, refusing (403 caller_unverified) a call {@code rule} finds not made for its verified caller. */
  public static <T> MessageConsumer<JsonObject> bind(Vertx vertx, String address, Class<T> type, T impl,
                                                     CallerAssertion.Rule rule) {
    return new ServiceBinder(vertx)
        .setAddress(address)
        .addInterceptor((v, context, msg) -> {
          RequestContext.fromHeaders(msg.headers());
          String refused = rule == null ? null : rule.refusal(address, msg.headers().get("action"), msg.body(),
              msg.headers());
          if (refused != null) {
            log.warn("Refused {} on {}: {}", msg.headers().get("action"), address, refused);
            return Future.failedFuture(Problems.of(403, "caller_unverified", "Refused: " + refused));
          }
          // Nobody waits for this any more (queued too long, or sent late): refuse rather than do it unseen.
          return Deadline.passed() ? Future.failedFuture(Problems.of(503, "deadline_passed",
              "The request's time ran out before it could be served")) : Future.succeededFuture(msg);
        })
        .register(type, impl);
  }

  /**
   * Answers the gateway's health probe for {@code domain} (a round trip to its database) and registers
   * the database in this node's readiness.
   */
  public static MessageConsumer<Object> healthEndpoint(Vertx vertx, String domain, Pool pool) {
    NodeHealth.of(vertx).register("db:" + domain, () -> pool.query("SELECT 1").execute());
    return vertx.eventBus().consumer(healthAddress(domain), msg -> pool.query("SELECT 1").execute()
        .onSuccess(rows -> msg.reply("up"))
        .onFailure(err -> msg.fail(503, "database unavailable")));
  }

  public static String healthAddress(String domain) {
    return "azora.health." + domain;
  }

  /** A Redis client whose every command and connection attempt is bounded by {@code redis.timeoutMs}. */
  public static BoundedRedis redis(Vertx vertx, AzoraConfig.Redis config) {
    RedisOptions options = new RedisOptions()
        .setConnectionString(config.url())
        .setMaxPoolSize(config.poolSize())
        .setMaxPoolWaiting(8192)
        .setMaxWaitingHandlers(8192);
    options.getNetClientOptions().setConnectTimeout((int) config.timeoutMs());
    return new BoundedRedis(Redis.createClient(vertx, options), config.timeoutMs());
  }
}
