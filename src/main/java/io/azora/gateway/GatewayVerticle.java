package io.azora.gateway;

import io.azora.platform.AzoraConfig;
import io.azora.platform.BoundedRedis;
import io.azora.platform.NodeHealth;
import io.azora.platform.OpenApiRequests;
import io.azora.platform.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The API gateway: the only public HTTP entry (port 4000). Routes HTTP to the domains' services on the bus. */
public class GatewayVerticle extends VerticleBase {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GatewayVerticle.class);

  private static final String OPENAPI = "openapi.yaml";

  private HttpServer server;
  private Api api;
  private BoundedRedis redis;
  private AzoraConfig config;

  @Override
  public Future<?> start() {
    config = AzoraConfig.from(config());
    redis = Services.redis(vertx, config.redis());
    NodeHealth.of(vertx).register("redis", () -> redis.send(Request.cmd(Command.PING)));
    return Future.all(vertx.fileSystem().readFile(OPENAPI), OpenApiRequests.readDocument(vertx, OPENAPI)).compose(loaded -> {
      JsonObject document = loaded.resultAt(1);
      // The validator reads requests only; the served document keeps the problem+json responses.
      return OpenAPIContract.from(vertx, ApiValidator.requestsOnly(document)).map(contract -> {
        // One pipelined Redis connection for every request's rate-limit and idempotency commands.
        RedisLink link = new RedisLink(redis);
        api = new Api(vertx, config(), new TokenVerifier(vertx, config.auth()),
            new RateLimiter(link, config.redis().keyPrefix()), new ApiValidator(vertx, contract),
            new Idempotency(link, config.redis().keyPrefix(), io.azora.platform.ClusterMembers.of(vertx)), link);
        return router(api, new OpenApiRoutes(loaded.resultAt(0), document));
      });
    }).compose(router -> {
      server = vertx.createHttpServer(new HttpServerOptions()
          .setHost(config.http().host()).setPort(config.http().port())
          .setCompressionSupported(true).setIdleTimeout(60).setIdleTimeoutUnit(TimeUnit.SECONDS)
          // Sockets: frames and messages are cut off at four times the message limit (the connection
          // closes); a message over the limit itself is closed with 1009 by the socket's handler. Any
          // subprotocol a client asks for is echoed (browsers send the token as "bearer.<token>").
          .setMaxWebSocketFrameSize(4 * webSocketMaxMessageBytes()).setMaxWebSocketMessageSize(4 * webSocketMaxMessageBytes())
          .setWebSocketSubProtocols(List.of("*"))
          // Messages are small JSON: per-message deflate would cost each connection ~300 KiB of native memory.
          .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false));
      return server.requestHandler(router).listen();
    });
  }

  static int webSocketMaxMessageBytes(JsonObject config) {
    return Math.max(1024, config.getJsonObject("http", new JsonObject()).getInteger("webSocketMaxMessageBytes", 16_384));
  }

  private int webSocketMaxMessageBytes() {
    return webSocketMaxMessageBytes(config());
  }

  private Router router(Api api, OpenApiRoutes openApi) {
    Router router = Router.router(vertx);
    router.route().handler(new RequestTracing(config.http().trustedProxies()));
    CorsHandler cors = CorsHandler.create()
        .addOrigins(config.http().corsOrigins())
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.DELETE))
        .allowedHeaders(Set.of("Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id", "traceparent"))
        .exposedHeaders(Set.of("X-Request-Id", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After"))
        .maxAgeSeconds(600);
    // CORS is for fetches: a WebSocket upgrade carries its token itself (no cookie to ride on), and a
    // browser sends its page's Origin, which the web client served here shares with no allow-list.
    // The web client served here is same-origin (its Origin names this very host): no allow-list applies.
    router.route().handler(ctx -> {
      if ("websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade")) || sameOrigin(ctx)) {
        ctx.next();
      } else {
        cors.handle(ctx);
      }
    });
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().bodyLimitBytes());
    for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH)) {
      router.route().method(method).handler(body);
    }
    new HealthRoutes(vertx, config.domains().stream().map(AzoraConfig.Domain::name).toList(),
        config.http().maxCallsPerDomain()).mount(router);
    openApi.mount(router);
    for (AzoraConfig.Domain domain : config.domains()) {
      routesOf(domain, api).mount(router);
    }
    new OperationsRoutes(api).mount(router);
    new EventBusBridge(api).mount(router);
    webClient(router);
    router.route().last().handler(ctx -> ProblemJson.send(ctx, 404, "not_found", "No such endpoint"));
    router.route().failureHandler(ctx -> {
      int status = ctx.statusCode();
      if (status >= 500 || status < 0) {
        log.warn("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      }
      if (ctx.failure() != null && status < 400) {
        ProblemJson.fail(ctx, ctx.failure());
      } else if (status == 413) {
        ProblemJson.send(ctx, 413, "payload_too_large", "The request body is larger than "
            + config.http().bodyLimitBytes() + " bytes");
      } else {
        ProblemJson.send(ctx, status < 400 ? 500 : status, null, null);
      }
    });
    return router;
  }

  /** Whether the request's Origin is this server as the browser addressed it (scheme aside: TLS may end at a proxy). */
  static boolean sameOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    String host = ctx.request().getHeader("Host");
    if (origin == null || host == null) {
      return false;
    }
    int scheme = origin.indexOf("://");
    return scheme > 0 && origin.substring(scheme + 3).equalsIgnoreCase(host);
  }

  /** The page's own policy: its script, style and sockets from this origin only. */
  private static final String WEB_CLIENT_CSP =
      "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

  /** The web client (src/main/resources/webroot): a static page at / talking to this API; no build step. */
  private static void webClient(Router router) {
    StaticHandler files = StaticHandler.create("webroot").setIndexPage("index.html").setMaxAgeSeconds(300)
        .setSendVaryHeader(false);
    router.routeWithRegex(HttpMethod.GET, "^/(index\\.html|app\\.js|app\\.css)?$")
        .handler(ctx -> {
          ctx.response().putHeader("Content-Security-Policy", WEB_CLIENT_CSP);
          ctx.next();
        })
        .handler(files);
  }

  @Override
  public Future<?> stop() {
    NodeHealth.of(vertx).unregister("redis");
    // Sockets first (1001: clients reconnect to another node), then stop accepting, let in-flight requests
    // finish (bounded), then close.
    Future<Void> sockets = api == null ? Future.succeededFuture() : api.closeSockets();
    Future<Void> shutdown = sockets.compose(v -> server == null ? Future.succeededFuture()
        : server.shutdown(config.node().shutdownGraceSeconds(), TimeUnit.SECONDS));
    return shutdown.eventually(() -> redis.close());
  }

  /** The routes class verticles.json names for {@code domain}, built with the gateway's {@link Api}. */
  private static DomainRoutes routesOf(AzoraConfig.Domain domain, Api api) {
    try {
      return (DomainRoutes) Class.forName(domain.routes()).getDeclaredConstructor(Api.class).newInstance(api);
    } catch (ReflectiveOperationException | ClassCastException | NullPointerException e) {
      throw new IllegalStateException("verticles.json: domain " + domain.name() + " needs routes, a gateway class"
          + " implementing DomainRoutes with a constructor taking the Api; " + domain.routes() + " is not", e);
    }
  }
}
