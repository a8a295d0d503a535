package io.azora.gateway;

import io.azora.platform.RequestContext;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * First handler of every request: the request id (the client's own when valid), the W3C trace context
 * (continued when valid, else started), and the security headers every response carries.
 */
final class RequestTracing implements Handler<RoutingContext> {

  private static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  private static final CharSequence TRACEPARENT = HttpHeaders.createOptimized("traceparent");
  /** Name, value pairs, encoded once. */
  private static final CharSequence[] SECURITY_HEADERS = Stream.of(
          "X-Content-Type-Options", "nosniff",
          "X-Frame-Options", "DENY",
          "Referrer-Policy", "no-referrer",
          "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'",
          "Cross-Origin-Resource-Policy", "same-site",
          "Strict-Transport-Security", "max-age=31536000; includeSubDomains")
      .map(HttpHeaders::createOptimized).toArray(CharSequence[]::new);

  @Override
  public void handle(RoutingContext ctx) {
    String requestId = ctx.request().getHeader("X-Request-Id");
    if (!RequestContext.validRequestId(requestId)) {
      requestId = randomUuid();
    }
    String incoming = ctx.request().getHeader(RequestContext.TRACEPARENT);
    String traceId = RequestContext.validTraceparent(incoming) ? incoming.substring(3, 35) : randomHex(16);
    String flags = RequestContext.validTraceparent(incoming) ? incoming.substring(53, 55) : "01";
    String traceparent = "00-" + traceId + "-" + randomHex(8) + "-" + flags;
    RequestContext.set(requestId, traceparent);
    MultiMap headers = ctx.response().headers();
    headers.set(X_REQUEST_ID, requestId).set(TRACEPARENT, traceparent);
    for (int i = 0; i < SECURITY_HEADERS.length; i += 2) {
      headers.set(SECURITY_HEADERS[i], SECURITY_HEADERS[i + 1]);
    }
    ctx.next();
  }

  /** A version-4 UUID from ThreadLocalRandom: request ids need uniqueness, not unpredictability. */
  private static String randomUuid() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
    return new UUID(msb, lsb).toString();
  }

  private static String randomHex(int bytes) {
    byte[] raw = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(raw);
    return HexFormat.of().formatHex(raw);
  }
}
