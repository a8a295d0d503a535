package io.azora.platform;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two requests waiting on one shared future (the gateway's first load of the signing keys, a cache load)
 * each go on as themselves: the one that did not make the future is resumed on its own request context,
 * not on the maker's, whose request id and signed caller it would otherwise use. Seen in the multi-JVM
 * tests once callers were checked there: a restarted gateway's first concurrent requests called finance
 * as one another and were refused.
 */
@ExtendWith(VertxExtension.class)
class RequestContextTest {

  @Test
  void aSharedFutureResumesEachWaiterOnItsOwnRequest(Vertx vertx) throws Exception {
    ContextInternal eventLoop = (ContextInternal) vertx.getOrCreateContext();
    ContextInternal first = eventLoop.duplicate();
    ContextInternal second = eventLoop.duplicate();
    Promise<String> shared = first.promise();  // made while serving the first request
    CompletableFuture<String> resumed = new CompletableFuture<>();
    CompletableFuture<String> unguarded = new CompletableFuture<>();
    CompletableFuture<Void> waiting = new CompletableFuture<>();
    second.runOnContext(v -> {
      RequestContext.set("second-request", null);
      RequestContext.resumeHere(shared.future()).onComplete(ar -> resumed.complete(RequestContext.requestId()));
      shared.future().onComplete(ar -> unguarded.complete(RequestContext.requestId()));
      waiting.complete(null);
    });
    waiting.get(5, TimeUnit.SECONDS);
    first.runOnContext(v -> {
      RequestContext.set("first-request", null);
      shared.complete("keys");
    });
    assertEquals("second-request", resumed.get(5, TimeUnit.SECONDS));
    // What a waiter sees without it: the maker's request.
    assertEquals("first-request", unguarded.get(5, TimeUnit.SECONDS));
  }
}
