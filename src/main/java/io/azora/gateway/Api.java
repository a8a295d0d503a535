package io.azora.gateway;

import io.azora.platform.Caller;
import io.azora.platform.CallerAssertion;
import io.azora.platform.AzoraConfig;
import io.azora.platform.ClusterRouting;
import io.azora.platform.RequestContext;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.serviceproxy.ServiceException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The gateway's per-request steps, shared by every route: authenticate, rate-limit (with the session
 * deny-list in the same Redis round trip), validate against the OpenAPI document, call the domain with
 * a timeout and the request id, and write the answer or the problem.
 */
final class Api {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Api.class);

  /** Who may call a route and which rate limit it counts against. */
  enum Access { PUBLIC, LOGIN, USER, ADMIN }

  static final String CALLER = "azora.caller";
  /** The cache probe of a request that missed (see {@link #guard(Access, Function)}). */
  static final String CACHE_MISS = "azora.cacheMiss";
  private static final String JSON = "application/json; charset=utf-8";

  private final Vertx vertx;
  private final AzoraConfig config;
  private final JsonObject rawConfig;
  private final TokenVerifier tokens;
  private final RateLimiter limiter;
  private final ApiValidator validator;
  private final Map<String, CircuitBreaker> breakers = new HashMap<>();
  private final Idempotency idempotency;
  private final RedisLink redis;
  private final Sockets sockets;
  private final RoomFanout rooms;
  private final NotificationFanout notifications;

  Api(Vertx vertx, JsonObject rawConfig, TokenVerifier tokens, RateLimiter limiter, ApiValidator validator,
      Idempotency idempotency, RedisLink redis) {
    this.rawConfig = rawConfig;
    this.config = AzoraConfig.from(rawConfig);
    this.idempotency = idempotency;
    this.redis = redis;
    this.vertx = vertx;
    this.tokens = tokens;
    this.limiter = limiter;
    this.validator = validator;
    this.sockets = new Sockets(vertx);
    this.rooms = new RoomFanout(vertx, redis, config.redis().keyPrefix());
    this.notifications = new NotificationFanout(vertx);
  }

  /** This verticle's open WebSockets. */
  Sockets sockets() {
    return sockets;
  }

  /** This verticle's live-room sockets. */
  RoomFanout rooms() {
    return rooms;
  }

  /** This verticle's notification sockets. */
  NotificationFanout notifications() {
    return notifications;
  }

  /** Sockets first (1001: clients reconnect to another node), then what feeds them. */
  Future<Void> closeSockets() {
    return sockets.closeAll().compose(v -> Future.join(rooms.close(), notifications.close()).mapEmpty());
  }

  /** Delivery options for domain calls: the timeout (request id and trace are added by the bus interceptor). */
  DeliveryOptions delivery() {
    return new DeliveryOptions().setSendTimeout(config.http().serviceTimeoutMs());
  }

  /** {@link #delivery()} for a call made for {@code caller} outside an HTTP request (signed per call: sockets outlive assertions). */
  DeliveryOptions deliveryAs(Caller caller) {
    return CallerAssertion.asCaller(delivery(), caller);
  }

  Vertx vertx() {
    return vertx;
  }

  AzoraConfig config() {
    return config;
  }

  /** The whole configuration, for the keys of a domain's own section a route needs. */
  JsonObject rawConfig() {
    return rawConfig;
  }

  /** This verticle's pipelined Redis connection. */
  RedisLink redis() {
    return redis;
  }

  /** Authentication (required for USER and ADMIN, used when present otherwise) and rate limiting. */
  Handler<RoutingContext> guard(Access access) {
    return guard(access, null);
  }

  /**
   * {@link #guard(Access)} for a route whose answers may be cached: {@code probe} names the cache entry of
   * the request (or null to skip the cache for this caller), looked up in the rate limiter's round trip;
   * a hit is the answer. Entries are stored only for requests that passed validation, and the entry name
   * is made of exactly the validated values, so a hit never answers a request validation would refuse.
   */
  Handler<RoutingContext> guard(Access access, Function<RoutingContext, RateLimiter.CacheProbe> probe) {
    return ctx -> {
      String token = bearer(ctx);
      boolean required = access == Access.USER || access == Access.ADMIN;
      if (token == null || token.isEmpty()) {
        if (required) {
          ProblemJson.send(ctx, 401, "unauthorized", "A bearer access token is required");
        } else {
          limit(ctx, access, null, probe);
        }
        return;
      }
      tokens.verify(token)
          .onFailure(err -> {
            log.debug("Access token refused: {}", err.getMessage());
            if (!required) {
              limit(ctx, access, null, probe);  // a stale header does not stop anyone from logging in again
            } else if (err instanceof TimeoutException) {
              ProblemJson.fail(ctx, err);  // keys unavailable: the token may be fine, so 503, not 401
            } else {
              ProblemJson.send(ctx, 401, "unauthorized", "Invalid or expired access token");
            }
          })
          .onSuccess(caller -> {
            if (access == Access.ADMIN && !caller.has("admin")) {
              ProblemJson.send(ctx, 403, "forbidden", "This needs the admin role");
              return;
            }
            ctx.put(CALLER, caller);
            // Signed for the domains, which check it before money or roles move.
            RequestContext.callerAssertion(CallerAssertion.sign(caller));
            limit(ctx, access, caller, probe);
          });
    };
  }

  /**
   * Counts one use of {@code subject} against {@code limit} per {@code windowSeconds} (shared by every
   * gateway, in Redis), with the session's deny-list entry in the same round trip: for what is not an
   * HTTP request, such as a question on a socket.
   */
  Future<RateLimiter.Decision> count(String subject, String sessionId, int limit, int windowSeconds) {
    return limiter.hit(subject, sessionId, limit, windowSeconds, null);
  }

  private void limit(RoutingContext ctx, Access access, Caller caller,
                     Function<RoutingContext, RateLimiter.CacheProbe> probe) {
    AzoraConfig.RateLimit rl = config.rateLimit();
    String ip = clientIp(ctx);
    String subject;
    int max;
    if (access == Access.LOGIN) {
      subject = "login:" + ip;
      max = rl.loginPerIp();
    } else if (caller != null) {
      subject = "user:" + caller.userId();
      max = rl.authenticated();
    } else {
      subject = "ip:" + ip;
      max = rl.anonymous();
    }
    RateLimiter.CacheProbe cacheProbe = probe == null ? null : probe.apply(ctx);
    limiter.hit(subject, caller == null ? null : caller.sessionId(), max, rl.windowSeconds(), cacheProbe)
        .onFailure(err -> ProblemJson.fail(ctx, new TimeoutException("rate limiter unavailable")))
        .onSuccess(decision -> {
          if (decision.denied()) {
            if (access == Access.USER || access == Access.ADMIN) {
              ProblemJson.send(ctx, 401, "unauthorized", "This session has ended; sign in again");
            } else {
              ctx.remove(CALLER);
              limit(ctx, access, null, probe);
            }
            return;
          }
          ctx.response().putHeader("RateLimit-Limit", String.valueOf(decision.limit()))
              .putHeader("RateLimit-Remaining", String.valueOf(decision.remaining()))
              .putHeader("RateLimit-Reset", String.valueOf(decision.resetSeconds()));
          if (!decision.allowed()) {
            ctx.response().putHeader("Retry-After", String.valueOf(Math.max(1, decision.resetSeconds())));
            ProblemJson.send(ctx, 429, "rate_limited", "Too many requests; slow down");
            return;
          }
          Buffer cached = cacheProbe == null ? null : cacheProbe.answer(decision);
          if (cached != null) {
            Idempotency.end(ctx, 200, JSON, cached);
            return;
          }
          if (cacheProbe != null) {
            ctx.put(CACHE_MISS, cacheProbe);
          }
          ctx.next();
        });
  }

  /** Replays the first answer to a POST repeated with the same Idempotency-Key (see {@link Idempotency}). */
  Handler<RoutingContext> idempotent() {
    return idempotency.handler();
  }

  Handler<RoutingContext> validate(String operationId) {
    return ctx -> validator.validate(ctx, operationId);
  }

  /** The request's bearer token, or null. */
  static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
  }

  /** The caller of an access token (a socket's renewal), failed when it is not a valid, current one. */
  Future<Caller> verify(String token) {
    return tokens.verify(token);
  }

  /** When the request's access token expires (epoch seconds), once {@link #guard} has verified it. */
  long tokenExpiresAt(RoutingContext ctx) {
    String token = bearer(ctx);
    return token == null ? 0 : tokens.expiresAt(token);
  }

  /** When an access token {@link #verify} accepted expires (epoch seconds). */
  long tokenExpiresAt(String token) {
    return tokens.expiresAt(token);
  }

  static Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  /** The request body as JSON (already schema-checked), empty when there is none. */
  static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject json = ctx.body().asJsonObject();
      return json == null ? new JsonObject() : json;
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject();
    }
  }

  /** The named query parameters the request has, as sent (strings: nothing parsed). */
  static JsonObject queryOf(RoutingContext ctx, List<String> names) {
    JsonObject query = new JsonObject();
    names.forEach(p -> {
      String v = ctx.queryParams().get(p);
      if (v != null) {
        query.put(p, v);
      }
    });
    return query;
  }

  /** The list size asked for: {@code ?limit=} (validated 1..100 by the schema), 20 by default. */
  static int limit(RoutingContext ctx) {
    String limit = ctx.queryParams().get("limit");
    return limit == null ? 20 : Integer.parseInt(limit);
  }

  static JsonObject client(RoutingContext ctx) {
    return new JsonObject().put("ip", clientIp(ctx)).put("userAgent", ctx.request().getHeader("User-Agent"));
  }

  /** The caller's address as {@link RequestTracing} resolved it (proxies taken into account). */
  static String clientIp(RoutingContext ctx) {
    String ip = ctx.get(RequestTracing.CLIENT_IP);
    return ip == null ? "unknown" : ip;
  }

  /**
   * A handler answering {@code status} with the JSON result of a call to {@code domain} (204 when it has
   * none). Calls go through the domain's circuit breaker: when a domain stops answering (node killed,
   * overloaded), callers get 503 at once instead of each waiting out the timeout.
   */
  <T> Handler<RoutingContext> respond(int status, String domain, Function<RoutingContext, Future<T>> call) {
    return respond(status, domain, config.http().serviceTimeoutMs(), call);
  }

  /**
   * {@link #respond} for a call through a proxy that waits {@code timeoutMs}: the request's deadline, which
   * the bus carries to the domain (and on to the domains it calls, each given less), so that their answers,
   * timeouts included, arrive before this gateway stops waiting.
   */
  <T> Handler<RoutingContext> respond(int status, String domain, long timeoutMs, Function<RoutingContext, Future<T>> call) {
    CircuitBreaker breaker = breakers.computeIfAbsent(domain, this::breaker);
    Bulkheads bulkheads = Bulkheads.of(vertx, config.http().maxCallsPerDomain());
    return ctx -> {
      if (!bulkheads.enter(domain)) {
        ctx.response().putHeader("Retry-After", "1");
        ProblemJson.send(ctx, 503, "overloaded", domain + " is busy; try again in a moment");
        return;
      }
      // A read whose domain node dies before answering is asked again of another node; anything else
      // fails at once (the client retries it with its Idempotency-Key), never waiting out the timeout.
      boolean repeatable = ctx.request().method() == HttpMethod.GET || ctx.request().method() == HttpMethod.HEAD;
      Supplier<Future<T>> attempt = () -> ClusterRouting.watched(vertx, () -> {
          try {
            RequestContext.deadline(System.currentTimeMillis() + timeoutMs);
            return call.apply(ctx);
          } catch (RuntimeException e) {
            return Future.failedFuture(e);
          }
        }, repeatable);
      // A node that was stopping handled nothing (its handler gone, or the request still queued when it
      // went): any request may be sent again, once, a moment later, when the cluster has dropped it.
      breaker.<T>execute(() -> attempt.get().recover(err -> unhandled(err)
          ? Future.<Void>future(p -> vertx.setTimer(100, id -> p.complete())).compose(v -> attempt.get())
          : Future.failedFuture(err)))
        .onComplete(ar -> bulkheads.leave(domain))
        .onSuccess(value -> send(ctx, status != 0 ? status
            : Boolean.TRUE.equals(((JsonObject) value).remove("created")) ? 201 : 200, value))
        .onFailure(err -> ProblemJson.fail(ctx, err instanceof OpenCircuitException
            ? new TimeoutException(domain + " is unavailable") : err));
    };
  }

  /** A call a domain node never handled: no handler there any more, or discarded from a stopping one's queue. */
  private static boolean unhandled(Throwable err) {
    return err instanceof ReplyException re && !(re instanceof ServiceException)
        && (re.failureType() == ReplyFailure.NO_HANDLERS
            || re.failureType() == ReplyFailure.TIMEOUT && String.valueOf(re.getMessage()).startsWith("Discarded the request"));
  }

  /**
   * Like {@link #respond} for calls that may find an earlier result: the domain's JSON says
   * {@code created}; answered 201 if this call made the thing, 200 if it already existed.
   */
  Handler<RoutingContext> respondCreatedOrFound(String domain, Function<RoutingContext, Future<JsonObject>> call) {
    return respond(0, domain, call);
  }

  private CircuitBreaker breaker(String domain) {
    CircuitBreaker breaker = CircuitBreaker.create("domain-" + domain, vertx, new CircuitBreakerOptions()
        .setMaxFailures(10).setFailuresRollingWindow(10_000).setResetTimeout(5_000)
        .setTimeout(-1)  // the event-bus send timeout already bounds each call
        .setNotificationAddress(null));
    // Only an unreachable or silent domain counts; a domain's answer, even an error, proves it is up.
    breaker.failurePolicy(ar -> ar.failed() && ar.cause() instanceof ReplyException re
        && !(re instanceof ServiceException) && re.failureType() != ReplyFailure.RECIPIENT_FAILURE);
    return breaker;
  }

  static void send(RoutingContext ctx, int status, Object value) {
    if (ctx.response().ended()) {
      return;
    }
    if (value == null) {
      Idempotency.end(ctx, status == 202 ? 202 : 204, null, null);
    } else if (value instanceof JsonObject json) {
      Idempotency.end(ctx, status, JSON, json.toBuffer());
    } else if (value instanceof JsonArray json) {
      Idempotency.end(ctx, status, JSON, json.toBuffer());
    } else {
      Idempotency.end(ctx, status, JSON, new JsonObject().put("value", value).toBuffer());
    }
  }
}
