package io.azora.finance;

import io.azora.platform.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Posts independent groups of transfers in batches, as TigerBeetle does: while a batch is in the
 * database, new requests queue; when it returns, everything queued goes in the next one — no timer, so
 * a lone request waits for nothing, and under load one statement and one commit carry many transfers.
 * Each group succeeds or fails on its own (post_transfer_groups). Used from one verticle's event loop.
 */
final class LedgerBatcher {

  private static final Logger log = LoggerFactory.getLogger(LedgerBatcher.class);
  private static final String POST = """
      SELECT group_no, transfer_id, outcome, created_at, message, detail
      FROM post_transfer_groups($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""";

  private record Submission(List<Posting> group, String initiator, List<DomainEvent> events,
                            Promise<List<Ledger.Posted>> result) {
  }

  private final Pool pool;
  private final int maxBatch;
  private final int maxInFlight;
  private final ArrayDeque<Submission> queue = new ArrayDeque<>();
  private int inFlight;

  LedgerBatcher(Pool pool, int maxBatch, int maxInFlight) {
    this.pool = pool;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
  }

  /** Posts {@code group} (all-or-nothing) with others; fails with a {@link Ledger.Refusal} like {@link Ledger#post}. */
  Future<List<Ledger.Posted>> post(List<Posting> group, String initiator, List<DomainEvent> events) {
    Promise<List<Ledger.Posted>> result = Promise.promise();
    queue.add(new Submission(group, initiator, events, result));
    if (inFlight < maxInFlight) {
      flush();
    }
    return result.future();
  }

  private void flush() {
    if (queue.isEmpty()) {
      return;
    }
    List<Submission> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    while (!queue.isEmpty() && batch.size() < maxBatch) {
      batch.add(queue.poll());
    }
    inFlight++;
    pool.preparedQuery(POST).execute(params(batch))
        .onSuccess(rows -> complete(batch, rows))
        .onFailure(err -> {
          // Not a refusal (those come back as rows): settle each group on its own, so one bad group
          // cannot fail the others; groups that did commit answer "exists".
          log.warn("Ledger batch of {} failed ({}); posting its groups one by one", batch.size(), err.toString());
          for (Submission s : batch) {
            Ledger.post(pool, s.group(), s.initiator(), s.events()).onComplete(s.result());
          }
        })
        .onComplete(ar -> {
          inFlight--;
          flush();
        });
  }

  private static Tuple params(List<Submission> batch) {
    int n = 0;
    for (Submission s : batch) {
      n += s.group().size();
    }
    Integer[] groups = new Integer[n];
    UUID[] ids = new UUID[n];
    String[] types = new String[n];
    String[] phases = new String[n];
    UUID[] debits = new UUID[n];
    UUID[] credits = new UUID[n];
    Long[] amounts = new Long[n];
    UUID[] pendings = new UUID[n];
    String[] reasons = new String[n];
    UUID[] initiators = new UUID[n];
    JsonArray events = new JsonArray();
    int i = 0;
    for (int g = 0; g < batch.size(); g++) {
      Submission s = batch.get(g);
      UUID initiator = s.initiator() == null ? null : UUID.fromString(s.initiator());
      for (Posting p : s.group()) {
        groups[i] = g + 1;
        ids[i] = p.id();
        types[i] = p.type();
        phases[i] = p.phase();
        debits[i] = p.debit();
        credits[i] = p.credit();
        amounts[i] = p.amount();
        pendings[i] = p.pendingId();
        reasons[i] = p.reason();
        initiators[i] = initiator;
        i++;
      }
      JsonArray envelopes = new JsonArray();
      if (s.events() != null) {
        s.events().forEach(e -> envelopes.add(e.toJson()));
      }
      events.add(envelopes);
    }
    return Tuple.tuple().addArrayOfInteger(groups).addArrayOfUUID(ids).addArrayOfString(types).addArrayOfString(phases)
        .addArrayOfUUID(debits).addArrayOfUUID(credits).addArrayOfLong(amounts).addArrayOfUUID(pendings)
        .addArrayOfString(reasons).addArrayOfUUID(initiators).addValue(events);
  }

  private static void complete(List<Submission> batch, Iterable<Row> rows) {
    List<List<Ledger.Posted>> posted = new ArrayList<>(batch.size());
    String[] refusals = new String[batch.size()];
    String[] messages = new String[batch.size()];
    String[] details = new String[batch.size()];
    for (int g = 0; g < batch.size(); g++) {
      posted.add(new ArrayList<>());
    }
    for (Row row : rows) {
      int g = row.getInteger("group_no") - 1;
      String outcome = row.getString("outcome");
      if ("created".equals(outcome) || "exists".equals(outcome)) {
        posted.get(g).add(new Ledger.Posted(row.getUUID("transfer_id"), "created".equals(outcome),
            row.getOffsetDateTime("created_at")));
      } else {
        refusals[g] = outcome;
        messages[g] = row.getString("message");
        details[g] = row.getString("detail");
      }
    }
    for (int g = 0; g < batch.size(); g++) {
      Submission s = batch.get(g);
      if (refusals[g] != null) {
        s.result().fail(new Ledger.Refusal(Integer.parseInt(refusals[g].substring(2)), details[g], messages[g]));
      } else {
        s.result().complete(posted.get(g));
      }
    }
  }
}
