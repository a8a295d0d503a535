package io.azora.gateway.wallbreakers;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

/** Breaks the wall on purpose (ArchitectureTest shows the rule catches it): Vert.x internals outside platform. */
public final class GatewayUsingVertxInternals {

  public Object internals(Vertx vertx) {
    return ((VertxInternal) vertx).getOrCreateContext();
  }
}
