package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Set;

/**
 * A durable, idempotent consumer of one producer's events. Live events arrive on the bus; anything
 * missed (consumer down, node crashed before publishing) is read from the producer's feed from the
 * cursor kept in the consumer's own database. Each event is handled in a transaction that also writes
 * its inbox row, so a second delivery changes nothing. An event whose handling keeps failing is retried
 * with back-off and then parked ({@link NexusParking}): one poison event never stops the events after it.
 */
public final class NexusSubscription {

  private static final Logger log = LoggerFactory.getLogger(NexusSubscription.class);
  private static final long CATCH_UP_MS = 2000;
  private static final String INBOX = """
      INSERT INTO nexus_inbox (consumer, event_id, type) VALUES ($1, $2::uuid, $3)
      ON CONFLICT DO NOTHING RETURNING event_id""";
  private static final String READ_CURSOR = "SELECT position FROM nexus_cursor WHERE consumer = $1 AND source = $2";
  private static final String WRITE_CURSOR = """
      INSERT INTO nexus_cursor (consumer, source, position) VALUES ($1, $2, $3)
      ON CONFLICT (consumer, source) DO UPDATE SET position = GREATEST(nexus_cursor.position, EXCLUDED.position)""";

  private final Vertx vertx;
  private final Pool pool;
  private final String consumer;
  private final String source;
  private final Set<String> types;
  private final Nexus.EventHandler handler;
  private final NexusParking parking;
  private final List<MessageConsumer<JsonObject>> live = new ArrayList<>();
  private long timer = -1;
  private boolean catchingUp;
  private boolean stopped;
  /** Completes when no catch-up is running: a stop waits for it, so the pool never closes under one. */
  private Promise<Void> idle;

  NexusSubscription(Vertx vertx, Pool pool, String consumer, String source, Set<String> types,
                    Nexus.EventHandler handler, AzoraConfig.Nexus config) {
    this.vertx = vertx;
    this.pool = pool;
    this.consumer = consumer;
    this.source = source;
    this.types = types;
    this.handler = handler;
    this.parking = new NexusParking(pool, consumer, source, config, NodeMetrics.of(vertx));
  }

  /** True if this subscription is {@code consumer}'s, for events like {@code event}. */
  boolean handles(String consumer, DomainEvent event) {
    return this.consumer.equals(consumer) && source.equals(event.source()) && types.contains(event.type());
  }

  Future<Void> start() {
    for (String type : types) {
      live.add(vertx.eventBus().<JsonObject>consumer(DomainEvent.address(type),
          msg -> handle(DomainEvent.fromJson(msg.body())).onFailure(err ->
              log.warn("{} could not handle {} now; the feed will retry", consumer, type, err))));
    }
    timer = vertx.setPeriodic(CATCH_UP_MS, id -> catchUp());
    return Future.all(live.stream().map(MessageConsumer::completion).toList())
        .onSuccess(v -> catchUp())
        .mapEmpty();
  }

  /** Stops consuming: live events stop arriving, no new catch-up starts, the one running finishes first. */
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    Future<Void> unregistered = Future.all(live.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
    Future<Void> caughtUp = catchingUp ? (idle = Promise.promise()).future() : Future.succeededFuture();
    return Future.all(unregistered, caughtUp).mapEmpty();
  }

  /** Handles one event once: the inbox row and the handler's writes commit together. */
  Future<Boolean> handle(DomainEvent event) {
    if (!types.contains(event.type()) || !source.equals(event.source())) {
      return Future.succeededFuture(false);
    }
    RequestContext.set(event.requestId(), null);
    return pool.withTransaction(tx -> tx.preparedQuery(INBOX).execute(Tuple.of(consumer, event.id(), event.type()))
        .compose(rows -> rows.size() == 0
            ? Future.succeededFuture(false)
            : handler.handle(tx, event).map(true)));
  }

  /** Reads the feed from the stored cursor and handles what is new, in order, until it is drained. */
  private void catchUp() {
    if (catchingUp || stopped) {
      return;
    }
    catchingUp = true;
    pool.preparedQuery(READ_CURSOR).execute(Tuple.of(consumer, source))
        .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong(0))
        .compose(this::readFrom)
        .onFailure(err -> log.debug("{} catch-up from {} postponed: {}", consumer, source, err.getMessage()))
        .onComplete(ar -> {
          catchingUp = false;
          if (idle != null) {
            idle.tryComplete();
          }
        });
  }

  private Future<Void> readFrom(long after) {
    JsonObject request = new JsonObject().put("after", after).put("limit", 200);
    return vertx.eventBus().<JsonObject>request(Nexus.feedAddress(source), request,
            new DeliveryOptions().setSendTimeout(5000))
        .compose(reply -> {
          JsonArray events = reply.body().getJsonArray("events");
          long next = reply.body().getLong("next");
          if (events.isEmpty()) {
            return Future.succeededFuture();
          }
          return parking.waiting()
              .compose(waiting -> handleInOrder(events, 0, after, waiting))
              .compose(reached -> pool.preparedQuery(WRITE_CURSOR).execute(Tuple.of(consumer, source, reached))
                  .compose(v -> reached == next ? readFrom(next) : Future.<Void>succeededFuture()));
        });
  }

  /**
   * Handles the events from {@code index} in order and answers the feed position up to which all are done:
   * handled, handled before, or parked. It stops before an event that failed now (or still waits out its
   * back-off), which the next catch-up tries again.
   */
  private Future<Long> handleInOrder(JsonArray events, int index, long reached, Map<UUID, OffsetDateTime> waiting) {
    if (index == events.size()) {
      return Future.succeededFuture(reached);
    }
    JsonObject entry = events.getJsonObject(index);
    long position = entry.getLong("position");
    DomainEvent event = DomainEvent.fromJson(entry.getJsonObject("envelope"));
    UUID id = canonicalId(event);
    OffsetDateTime retryAt = waiting.get(id);
    if (retryAt != null && retryAt.isAfter(OffsetDateTime.now())) {
      return Future.succeededFuture(reached);
    }
    return handle(event)
        // Handled now (or before, live): its failed attempts are history.
        .compose(v -> retryAt == null ? Future.succeededFuture(true) : parking.recovered(id).map(true))
        .recover(err -> parking.failed(event, err))
        .compose(done -> done ? handleInOrder(events, index + 1, position, waiting) : Future.succeededFuture(reached));
  }

  private static UUID canonicalId(DomainEvent event) {
    try {
      return UUID.fromString(event.id());
    } catch (RuntimeException e) {
      return new UUID(0, 0);
    }
  }
}
