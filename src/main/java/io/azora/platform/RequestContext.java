package io.azora.platform;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.internal.ContextInternal;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The request id and W3C trace context of the request being served, kept in the Vert.x (duplicated)
 * context so that it follows the request through futures, event-bus hops and log lines without
 * thread-locals. Event-bus messages carry it as headers.
 */
public final class RequestContext {

  public static final String REQUEST_ID = "x-request-id";
  public static final String TRACEPARENT = "traceparent";
  /**
   * How long the callee has (milliseconds) before its caller stops waiting: work after that is wasted, or
   * worse. Sent as time left, not as a moment, so that nodes whose clocks disagree still agree on it.
   */
  public static final String BUDGET = "x-azora-budget-ms";
  private static final String KEY_REQUEST_ID = "azora.requestId";
  private static final String KEY_TRACEPARENT = "azora.traceparent";
  private static final String KEY_DEADLINE = "azora.deadline";
  private static final String KEY_CALLER = "azora.callerAssertion";
  private static final Pattern VALID_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");
  private static final Pattern VALID_TRACEPARENT =
      Pattern.compile("00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");

  private RequestContext() {
  }

  /**
   * {@code result}, its listeners run on the current (request) context. A future made on another context
   * (a load shared by concurrent requests, a connection opened by another request) calls back there, and
   * what follows would read and write that request's id and signed caller: a request resumed on another's
   * context called the domains as the other user.
   */
  public static <T> Future<T> resumeHere(Future<T> result) {
    Context here = Vertx.currentContext();
    if (here == null) {
      return result;
    }
    // Even a completed future calls a listener back on the context it was made on.
    Promise<T> back = Promise.promise();
    result.onComplete(ar -> {
      if (Vertx.currentContext() == here) {
        back.handle(ar);
      } else {
        here.runOnContext(v -> back.handle(ar));
      }
    });
    return back.future();
  }

  public static boolean validRequestId(String id) {
    return id != null && VALID_REQUEST_ID.matcher(id).matches();
  }

  public static boolean validTraceparent(String tp) {
    return tp != null && VALID_TRACEPARENT.matcher(tp).matches();
  }

  private static Map<Object, Object> locals() {
    Context ctx = Vertx.currentContext();
    return ctx == null ? null : ((ContextInternal) ctx).localContextData();
  }

  public static void set(String requestId, String traceparent) {
    Map<Object, Object> locals = locals();
    if (locals == null) {
      return;
    }
    if (requestId != null) {
      locals.put(KEY_REQUEST_ID, requestId);
    }
    if (traceparent != null) {
      locals.put(KEY_TRACEPARENT, traceparent);
    }
  }

  public static String requestId() {
    Map<Object, Object> locals = locals();
    return locals == null ? null : (String) locals.get(KEY_REQUEST_ID);
  }

  public static String traceparent() {
    Map<Object, Object> locals = locals();
    return locals == null ? null : (String) locals.get(KEY_TRACEPARENT);
  }

  /** The request's deadline (epoch milliseconds), or null when nobody is waiting on it. */
  public static Long deadline() {
    Map<Object, Object> locals = locals();
    return locals == null ? null : (Long) locals.get(KEY_DEADLINE);
  }

  /** Sets the request's deadline; a deadline already set earlier is never extended. */
  public static void deadline(long epochMillis) {
    Map<Object, Object> locals = locals();
    if (locals != null) {
      Long current = (Long) locals.get(KEY_DEADLINE);
      locals.put(KEY_DEADLINE, current == null ? epochMillis : Math.min(current, epochMillis));
    }
  }

  /** The request's signed caller ({@link CallerAssertion}), carried on to every domain it calls. */
  public static void callerAssertion(String assertion) {
    Map<Object, Object> locals = locals();
    if (locals != null && assertion != null) {
      locals.put(KEY_CALLER, assertion);
    }
  }

  public static String callerAssertion() {
    Map<Object, Object> locals = locals();
    return locals == null ? null : (String) locals.get(KEY_CALLER);
  }

  /** Restores the context from event-bus headers (service calls, Nexus events). */
  public static void fromHeaders(MultiMap headers) {
    set(headers.get(REQUEST_ID), headers.get(TRACEPARENT));
    callerAssertion(headers.get(CallerAssertion.HEADER));
    String budget = headers.get(BUDGET);
    if (budget != null && budget.length() <= 12) {
      try {
        deadline(System.currentTimeMillis() + Long.parseLong(budget));
      } catch (NumberFormatException ignored) {
        // not one of ours
      }
    }
  }

  /**
   * An outbound event-bus interceptor (installed once per Vert.x instance by {@link Node}): every message
   * sent while serving a request carries its request id and trace as headers, so service proxies can be
   * created once and still propagate them.
   */
  public static void propagate(DeliveryContext<Object> delivery) {
    String id = requestId();
    if (id != null) {
      MultiMap headers = delivery.message().headers();
      if (!headers.contains(REQUEST_ID)) {
        headers.add(REQUEST_ID, id);
      }
      String tp = traceparent();
      if (tp != null && !headers.contains(TRACEPARENT)) {
        headers.add(TRACEPARENT, tp);
      }
      String caller = callerAssertion();
      if (caller != null && !headers.contains(CallerAssertion.HEADER)) {
        headers.add(CallerAssertion.HEADER, caller);
      }
      Long deadline = deadline();
      if (deadline != null && !headers.contains(BUDGET) && delivery.send()) {
        // The callee must answer before this caller gives up: it gets less than is left, by the margin the
        // caller keeps for its own answer and the margin the callee's answer needs to travel back.
        headers.add(BUDGET, Long.toString(deadline - System.currentTimeMillis() - 2 * Deadline.HOP_MARGIN_MS));
      }
    }
    delivery.next();
  }
}
