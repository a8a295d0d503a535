package io.azora.finance;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mints what {@link Mining} queued, one transaction at a time per verticle instance, as the ledger's
 * batcher posts transfers: while a batch is in the database, new activities queue; when it returns, the
 * next takes all of them (up to {@code maxBatch}). No timer delays a lone reward. A sweep every few
 * seconds mints what a node that stopped (or crashed) after queueing left behind; a failed batch is tried
 * again after a second. Used from one verticle's event loop.
 */
final class MintBatches {

  private static final Logger log = LoggerFactory.getLogger(MintBatches.class);
  private static final long RETRY_MS = 1_000;

  private final Vertx vertx;
  private final Mining mining;
  private final int maxBatch;
  private final long sweepTimer;
  private boolean minting;
  private boolean again;
  private boolean stopped;
  private Promise<Void> idle;

  MintBatches(Vertx vertx, Mining mining, int maxBatch, long sweepMs) {
    this.vertx = vertx;
    this.mining = mining;
    this.maxBatch = maxBatch;
    this.sweepTimer = vertx.setPeriodic(sweepMs, id -> sweep());
    nudge();  // what was queued while no minter ran
  }

  /** Something was queued (its transaction committed): mint it now, or right after the batch in flight. */
  void nudge() {
    if (stopped) {
      return;
    }
    if (minting) {
      again = true;
      return;
    }
    minting = true;
    again = false;
    mining.mintQueued(maxBatch)
        .onComplete(ar -> {
          minting = false;
          if (ar.failed()) {
            log.warn("Minting a batch failed ({}); trying again in {} ms", ar.cause().toString(), RETRY_MS);
            if (!stopped) {
              vertx.setTimer(RETRY_MS, id -> nudge());
            }
          } else if (ar.result() == maxBatch || again) {
            nudge();
          }
          if (!minting && idle != null) {
            idle.tryComplete();
          }
        });
  }

  private void sweep() {
    if (minting || stopped) {
      return;
    }
    mining.anyQueued().onSuccess(any -> {
      if (any) {
        nudge();
      }
    });
  }

  /** Stops taking batches; completes when the one in flight (if any) has committed or rolled back. */
  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(sweepTimer);
    if (!minting) {
      return Future.succeededFuture();
    }
    idle = Promise.promise();
    return idle.future();
  }
}
