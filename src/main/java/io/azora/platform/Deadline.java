package io.azora.platform;

import io.vertx.core.eventbus.DeliveryOptions;

/**
 * A request's deadline across the bus. The gateway sets it from how long it will wait for the domain;
 * every hop hands the next a little less than it has left (the bus carries it as a header), so an inner
 * call always times out before its caller does and answers first, and a domain neither starts work
 * nobody waits for nor keeps a lock queue waiting past it.
 */
public final class Deadline {

  /** What each hop keeps for itself: its answer must travel back before its caller's timer fires. */
  public static final long HOP_MARGIN_MS = 100;

  private Deadline() {
  }

  /** Milliseconds left for the request being served, or {@code fallbackMs} when it has no deadline. */
  public static long remainingMs(long fallbackMs) {
    Long deadline = RequestContext.deadline();
    return deadline == null ? fallbackMs : deadline - System.currentTimeMillis();
  }

  /** True when the request being served has a deadline and it has passed. */
  public static boolean passed() {
    return remainingMs(1) <= 0;
  }

  /**
   * Options for a call to another domain: its usual timeout, or less if the request being served has less
   * left (less the margin its own answer needs).
   */
  public static DeliveryOptions delivery(long timeoutMs) {
    long left = remainingMs(timeoutMs + HOP_MARGIN_MS) - HOP_MARGIN_MS;
    return new DeliveryOptions().setSendTimeout(Math.max(1, Math.min(timeoutMs, left)));
  }
}
