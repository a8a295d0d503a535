package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes committed outbox events on the event bus and serves the producer's feed.
 *
 * <p>Only one relay at a time (a PostgreSQL advisory lock, whatever the number of nodes) gives events
 * their feed {@code position}, so positions become visible strictly in order and a consumer that reads
 * "after N" never skips an event committed late. Publishing is best effort (fast path); the feed is
 * the guarantee.
 */
public final class OutboxRelay {

  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  private static final int BATCH = 256;
  // Positions follow insertion order and continue from the highest given; safe under the relay lock.
  private static final String CLAIM = """
      WITH claimed AS (SELECT seq, row_number() OVER (ORDER BY seq) AS n
                       FROM nexus_outbox WHERE position IS NULL ORDER BY seq LIMIT $1),
           base AS (SELECT coalesce(max(position), 0) AS b FROM nexus_outbox)
      UPDATE nexus_outbox o SET position = base.b + claimed.n, published_at = now()
      FROM claimed, base WHERE o.seq = claimed.seq
      RETURNING o.seq, o.position, o.envelope""";
  private static final String FEED = """
      SELECT position, type, envelope FROM nexus_outbox WHERE position > $1 ORDER BY position LIMIT $2""";

  private final Vertx vertx;
  private final Pool pool;
  private final String source;
  private MessageConsumer<JsonObject> feedConsumer;
  private MessageConsumer<Object> nudgeConsumer;
  private long timer = -1;
  private boolean draining;
  private boolean again;
  private boolean stopped;
  /** Completes when no drain is running: a stop waits for it, so the pool never closes under a drain. */
  private Promise<Void> idle;

  OutboxRelay(Vertx vertx, Pool pool, String source) {
    this.vertx = vertx;
    this.pool = pool;
    this.source = source;
  }

  Future<Void> start() {
    feedConsumer = vertx.eventBus().consumer(Nexus.feedAddress(source), this::serveFeed);
    nudgeConsumer = vertx.eventBus().localConsumer(nudgeAddress(source), msg -> drain());
    timer = vertx.setPeriodic(250, id -> drain());
    return feedConsumer.completion();
  }

  /** Stops publishing: no new drain starts, the one running (if any) finishes first. */
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    Future<Void> drained = draining ? (idle = Promise.promise()).future() : Future.succeededFuture();
    return drained.compose(v -> Future.all(feedConsumer.unregister(), nudgeConsumer.unregister())).mapEmpty();
  }

  /** Asks this node's relay to publish at once (call after a commit that emitted events). */
  public static void nudge(Vertx vertx, String source) {
    vertx.eventBus().send(nudgeAddress(source), null);
  }

  private static String nudgeAddress(String source) {
    return "nexus.relay." + source;
  }

  private void drain() {
    if (stopped) {
      return;
    }
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    again = false;
    pool.withTransaction(conn -> conn.query("SELECT pg_try_advisory_xact_lock(7061727, hashtext('nexus_relay'))")
            .execute()
            .compose(lock -> lock.iterator().next().getBoolean(0)
                ? conn.preparedQuery(CLAIM).execute(Tuple.of(BATCH)).map(OutboxRelay::sortedBySeq)
                : Future.succeededFuture(new JsonArray())))
        .onSuccess(envelopes -> {
          envelopes.forEach(e -> publish((JsonObject) e));
          if (envelopes.size() == BATCH) {
            again = true;
          }
        })
        .onFailure(err -> log.warn("Outbox relay of {} failed; retrying", source, err))
        .onComplete(ar -> {
          draining = false;
          if (idle != null) {
            idle.tryComplete();
          }
          if (again) {
            drain();
          }
        });
  }

  private static JsonArray sortedBySeq(RowSet<Row> rows) {
    java.util.List<Row> list = new java.util.ArrayList<>();
    rows.forEach(list::add);
    list.sort(java.util.Comparator.comparingLong(r -> r.getLong("seq")));
    JsonArray out = new JsonArray();
    list.forEach(r -> out.add(envelopeOf(r)));
    return out;
  }

  private static JsonObject envelopeOf(Row row) {
    Object value = row.getValue("envelope");
    return value instanceof JsonObject json ? json : new JsonObject(String.valueOf(value));
  }

  private void publish(JsonObject envelope) {
    DeliveryOptions options = new DeliveryOptions();
    String requestId = envelope.getString("requestId");
    if (requestId != null) {
      options.addHeader(RequestContext.REQUEST_ID, requestId);
    }
    vertx.eventBus().publish(DomainEvent.address(envelope.getString("type")), envelope, options);
  }

  /** Feed request {@code {after, limit}} → {@code {events: [{position, envelope}], next}}. */
  private void serveFeed(Message<JsonObject> msg) {
    long after = msg.body().getLong("after", 0L);
    int limit = Math.min(msg.body().getInteger("limit", 100), 1000);
    pool.preparedQuery(FEED).execute(Tuple.of(after, limit))
        .onSuccess(rows -> {
          JsonArray events = new JsonArray();
          long next = after;
          for (Row row : rows) {
            next = row.getLong("position");
            events.add(new JsonObject().put("position", next).put("envelope", envelopeOf(row)));
          }
          msg.reply(new JsonObject().put("events", events).put("next", next));
        })
        .onFailure(err -> msg.fail(503, "feed unavailable: " + err.getMessage()));
  }
}
