package io.azora.gateway;

import io.azora.platform.RequestContext;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/** Every error leaves the gateway as one RFC 9457 problem+json shape with the contract's stable code. */
final class ProblemJson {

  private static final Logger log = LoggerFactory.getLogger(ProblemJson.class);
  static final String CONTENT_TYPE = "application/problem+json; charset=utf-8";
  private static final Map<Integer, String[]> DEFAULTS = Map.ofEntries(
      Map.entry(400, new String[] {"validation_failed", "Bad Request"}),
      Map.entry(401, new String[] {"unauthorized", "Unauthorized"}),
      Map.entry(402, new String[] {"insufficient_funds", "Payment Required"}),
      Map.entry(403, new String[] {"forbidden", "Forbidden"}),
      Map.entry(404, new String[] {"not_found", "Not Found"}),
      Map.entry(405, new String[] {"method_not_allowed", "Method Not Allowed"}),
      Map.entry(409, new String[] {"conflict", "Conflict"}),
      Map.entry(413, new String[] {"payload_too_large", "Payload Too Large"}),
      Map.entry(415, new String[] {"unsupported_media_type", "Unsupported Media Type"}),
      Map.entry(422, new String[] {"unprocessable", "Unprocessable Content"}),
      Map.entry(429, new String[] {"rate_limited", "Too Many Requests"}),
      Map.entry(500, new String[] {"internal_error", "Internal Server Error"}),
      Map.entry(503, new String[] {"service_unavailable", "Service Unavailable"}));

  private ProblemJson() {
  }

  static void send(RoutingContext ctx, int status, String code, String detail) {
    send(ctx, status, code, detail, null, null);
  }

  static void send(RoutingContext ctx, int status, String code, String detail, JsonArray errors, JsonObject extra) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    String[] defaults = DEFAULTS.getOrDefault(status, new String[] {"error", "Error"});
    JsonObject body = new JsonObject()
        .put("type", "https://azora.dev/problems/" + (code == null ? defaults[0] : code).replace('_', '-'))
        .put("title", defaults[1])
        .put("status", status)
        .put("detail", detail == null ? defaults[1] : detail)
        .put("instance", ctx.request().path())
        .put("code", code == null ? defaults[0] : code)
        .put("requestId", RequestContext.requestId());
    if (errors != null && !errors.isEmpty()) {
      body.put("errors", errors);
    }
    if (extra != null) {
      extra.forEach(e -> body.put(e.getKey(), e.getValue()));
    }
    Idempotency.end(ctx, status, CONTENT_TYPE, body.toBuffer());
  }

  /** Maps any failure (a domain's ServiceException, a bus timeout, a bug) to a problem response. */
  static void fail(RoutingContext ctx, Throwable err) {
    if (err instanceof ServiceException se && se.failureCode() >= 400 && se.failureCode() < 600) {
      JsonObject info = se.getDebugInfo() == null ? new JsonObject() : se.getDebugInfo().copy();
      String code = (String) info.remove("code");
      JsonArray errors = (JsonArray) info.remove("errors");
      Object retryAfter = info.getValue("retryAfter");
      if (retryAfter != null) {
        ctx.response().putHeader("Retry-After", String.valueOf(retryAfter));
      }
      send(ctx, se.failureCode(), code, se.getMessage(), errors, info.isEmpty() ? null : info);
      return;
    }
    if (err instanceof io.azora.platform.ClusterRouting.NodeLost) {
      log.warn("Domain node lost mid-request: {}", err.getMessage());
      ctx.response().putHeader("Retry-After", "1");
      send(ctx, 503, "service_unavailable", "The node serving this request left; try again");
      return;
    }
    // A domain refused the caller this gateway signed (a call's interceptor answers with a bare code): the
    // nodes' caller keys differ, or the signature did not travel. Never a 500: say so, and log it for operators.
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE && re.failureCode() == 403
        && !(err instanceof ServiceException)) {
      log.warn("A domain refused the caller on {} {}: {}", ctx.request().method(), ctx.request().path(), re.getMessage());
      send(ctx, 403, "caller_unverified", "The request's caller could not be verified inside the cluster");
      return;
    }
    // Not delivered, not answered in time, or refused by a domain as unavailable (a 503 failure: say, a
    // request whose deadline passed before the domain could start it).
    if (err instanceof ReplyException re && (re.failureType() != ReplyFailure.RECIPIENT_FAILURE || re.failureCode() == 503)
        || err instanceof java.util.concurrent.TimeoutException) {
      log.warn("Domain service unavailable: {}", err.getMessage());
      send(ctx, 503, "service_unavailable", "A backing service is unavailable; try again shortly");
      return;
    }
    log.error("Unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), err);
    send(ctx, 500, "internal_error", "Something went wrong on our side");
  }
}
