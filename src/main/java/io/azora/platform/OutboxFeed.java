package io.azora.platform;

import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.function.LongSupplier;

/**
 * A domain's feed: its relayed events in position order, read by the consumer groups' catch-ups. Every
 * relay of the domain serves it, on every node, lease or not.
 */
final class OutboxFeed {

  /** A reply holds events up to about this many bytes (at least one): some carry whole lessons. */
  static final long MAX_REPLY_BYTES = 4L * 1024 * 1024;

  // Settled: relayed long enough ago that a catch-up taking it will rarely race its live handling (the inbox
  // keeps each handled once either way).
  private static final String FEED = """
      SELECT position, type, envelope, published_at < now() - make_interval(secs => $3::double precision / 1000) AS settled,
             octet_length(envelope::text) AS size
      FROM nexus_outbox WHERE position > $1 ORDER BY position LIMIT $2""";

  private final Pool pool;
  /** The highest position relayed, when this node's relay holds the lease; -1 otherwise. */
  private final LongSupplier knownHead;

  OutboxFeed(Pool pool, LongSupplier knownHead) {
    this.pool = pool;
    this.knownHead = knownHead;
  }

  /**
   * Feed request {@code {after, limit, settledMs?}} → {@code {events: [{position, envelope, settled}], next}}:
   * settled if relayed more than {@code settledMs} ago (default 0: all are).
   */
  void serve(Message<JsonObject> msg) {
    long after = msg.body().getLong("after", 0L);
    int limit = Math.max(1, Math.min(msg.body().getInteger("limit", 100), 1000));
    long known = knownHead.getAsLong();
    if (known >= 0 && after >= known) {  // the lease holder knows nothing newer exists: no query
      msg.reply(new JsonObject().put("events", new JsonArray()).put("next", after));
      return;
    }
    long settledMs = Math.max(0, msg.body().getLong("settledMs", 0L));
    pool.preparedQuery(FEED).execute(Tuple.of(after, limit, settledMs))
        .onSuccess(rows -> {
          JsonArray events = new JsonArray();
          long next = after;
          long bytes = 0;
          for (Row row : rows) {
            bytes += row.getLong("size");
            if (bytes > MAX_REPLY_BYTES && !events.isEmpty()) {
              break;  // the rest next time: the reader continues from next
            }
            next = row.getLong("position");
            events.add(new JsonObject().put("position", next).put("envelope", OutboxRelay.envelopeOf(row))
                .put("settled", row.getBoolean("settled")));
          }
          msg.reply(new JsonObject().put("events", events).put("next", next));
        })
        .onFailure(err -> msg.fail(503, "feed unavailable: " + err.getMessage()));
  }
}
