package io.azora.gateway;

import io.azora.platform.RequestContext;
import io.netty.util.NetUtil;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.HexFormat;
import java.util.List;
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

  static final String CLIENT_IP = "azora.clientIp";
  private final TrustedProxies trustedProxies;

  RequestTracing(List<String> trustedProxies) {
    this.trustedProxies = new TrustedProxies(trustedProxies);
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(CLIENT_IP, clientIp(ctx));
    String requestId = ctx.request().getHeader("X-Request-Id");
    if (!RequestContext.validRequestId(requestId)) {
      requestId = randomUuid();
    }
    String incoming = ctx.request().getHeader(RequestContext.TRACEPARENT);
    boolean continued = RequestContext.validTraceparent(incoming);
    String traceId = continued ? incoming.substring(3, 35) : randomHex(16);
    String flags = continued ? incoming.substring(53, 55) : "01";
    String traceparent = "00-" + traceId + "-" + randomHex(8) + "-" + flags;
    RequestContext.set(requestId, traceparent);
    MultiMap headers = ctx.response().headers();
    headers.set(X_REQUEST_ID, requestId).set(TRACEPARENT, traceparent);
    for (int i = 0; i < SECURITY_HEADERS.length; i += 2) {
      headers.set(SECURITY_HEADERS[i], SECURITY_HEADERS[i + 1]);
    }
    ctx.next();
  }

  /**
   * The caller's address: the peer, unless the peer is a trusted proxy, in which case the right-most
   * X-Forwarded-For hop that is not itself a trusted proxy (hops further left are the client's word).
   */
  private String clientIp(RoutingContext ctx) {
    String peer = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().host();
    String forwarded = ctx.request().getHeader("X-Forwarded-For");
    if (forwarded == null || !trustedProxies.trusts(peer)) {
      return peer;
    }
    String[] hops = forwarded.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!hop.isEmpty() && !trustedProxies.trusts(hop)) {
        // Only an address is believed (bounded, no host names): anything else is the last proxy's peer.
        return NetUtil.isValidIpV4Address(hop) || NetUtil.isValidIpV6Address(hop) ? hop : peer;
      }
    }
    return peer;
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
