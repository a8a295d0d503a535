package io.azora.finance;

import io.azora.platform.Deadline;
import io.azora.platform.DomainEvent;
import io.azora.platform.Problems;
import io.azora.platform.RequestContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Posts independent groups of transfers in batches, as TigerBeetle does: while a batch is in the
 * database, new requests queue; when it returns, everything queued goes in the next one — no timer, so
 * a lone request waits for nothing, and under load one statement and one commit carry many transfers.
 * Each group succeeds or fails on its own (post_transfer_groups). Used from one verticle's event loop.
 */
final class LedgerBatcher {

  private static final Logger log = LoggerFactory.getLogger(LedgerBatcher.class);
  /** A group to post, for a request due at {@code deadline} (epoch ms, or null). */
  private record Submission(Ledger.Group group, Promise<List<Ledger.Posted>> result, Long deadline) {
  }

  private final Pool pool;
  private final int maxBatch;
  private final int maxInFlight;
  private final ArrayDeque<Submission> queue = new ArrayDeque<>();
  private int inFlight;

  private io.micrometer.core.instrument.Counter posted = io.micrometer.core.instrument.Counter.builder("unregistered")
      .register(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

  /** Counts each transfer posted in {@code registry} (azora_ledger_transfers_posted_total). */
  LedgerBatcher counted(io.micrometer.core.instrument.MeterRegistry registry) {
    this.posted = io.micrometer.core.instrument.Counter.builder("azora.ledger.transfers.posted")
        .description("Transfers posted through the ledger's batcher (wallet transfers and grants)").register(registry);
    return this;
  }

  LedgerBatcher(Pool pool, int maxBatch, int maxInFlight) {
    this.pool = pool;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
  }

  /** Posts {@code group} (all-or-nothing) with others; fails with a {@link Ledger.Refusal} like {@link Ledger#post}. */
  Future<List<Ledger.Posted>> post(List<Posting> group, String initiator, List<DomainEvent> events) {
    Promise<List<Ledger.Posted>> result = Promise.promise();
    queue.add(new Submission(new Ledger.Group(group, initiator, events), result, RequestContext.deadline()));
    if (inFlight < maxInFlight) {
      flush();
    }
    // Settled by the batch, on the context of the request that started it: each goes on as itself.
    return RequestContext.resumeHere(result.future().onSuccess(p -> posted.increment()));
  }

  private void flush() {
    if (queue.isEmpty()) {
      return;
    }
    List<Submission> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    Long earliest = null;
    long now = System.currentTimeMillis();
    while (!queue.isEmpty() && batch.size() < maxBatch) {
      Submission next = queue.poll();
      if (next.deadline() != null && next.deadline() - Deadline.HOP_MARGIN_MS <= now) {
        // Its caller has stopped waiting (it queued behind slow batches): it is not posted unseen.
        next.result().fail(Problems.of(503, "deadline_passed", "The request's time ran out before the transfer was posted"));
        continue;
      }
      if (next.deadline() != null && (earliest == null || next.deadline() < earliest)) {
        earliest = next.deadline();
      }
      batch.add(next);
    }
    if (batch.isEmpty()) {
      flush();
      return;
    }
    inFlight++;
    List<Ledger.Group> groups = batch.stream().map(Submission::group).toList();
    // The batch waits for locks no longer than its most pressed request can wait.
    pool.preparedQuery(Ledger.POST_GROUPS).execute(Ledger.groupParams(groups, Ledger.lockTimeoutMs(earliest)))
        .onSuccess(rows -> {
          List<Future<List<Ledger.Posted>>> outcomes = Ledger.outcomes(groups, rows);
          for (int g = 0; g < batch.size(); g++) {
            outcomes.get(g).onComplete(batch.get(g).result());
          }
        })
        .onFailure(err -> {
          // Not a refusal (those come back as rows), or a lock wait that reached the earliest deadline:
          // settle each group on its own, within its own deadline, so that neither one bad group nor one
          // hurried request fails the others; groups that did commit answer "exists".
          if (!Ledger.LOCK_TIMEOUT.equals(err instanceof io.vertx.pgclient.PgException pg ? pg.getSqlState() : null)) {
            log.warn("Ledger batch of {} failed ({}); posting its groups one by one", batch.size(), err.toString());
          }
          for (Submission s : batch) {
            Ledger.Group g = s.group();
            Ledger.post(pool, g.postings(), g.initiator(), g.events(), s.deadline()).onComplete(s.result());
          }
        })
        .onComplete(ar -> {
          inFlight--;
          flush();
        });
  }
}
