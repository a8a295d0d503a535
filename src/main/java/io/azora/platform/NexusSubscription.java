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
import io.vertx.sqlclient.SqlClient;
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
 * A member of a consumer group: a durable, idempotent consumer of one producer's events. Every instance
 * of a domain, on every node, subscribing as the same {@code consumer} is one group: the relay sends each
 * event to one member (round-robin, another one if that one fails). Anything live delivery missed
 * (the group down, a node crashed before delivering) is read from the producer's feed from the cursor
 * kept in the consumer's own database, by one member per node. Each event is handled in a transaction that
 * also writes its inbox row, so a second delivery changes nothing. An event whose handling keeps failing
 * is retried with back-off and then parked ({@link NexusParking}): one poison event never stops the events
 * after it.
 */
public final class NexusSubscription {

  private static final Logger log = LoggerFactory.getLogger(NexusSubscription.class);
  private static final String INBOX = """
      INSERT INTO nexus_inbox (consumer, event_id, type) VALUES ($1, $2::uuid, $3)
      ON CONFLICT DO NOTHING RETURNING event_id""";
  private static final String READ_CURSOR = "SELECT position FROM nexus_cursor WHERE consumer = $1 AND source = $2";
  private static final String HANDLED = "SELECT event_id FROM nexus_inbox WHERE consumer = $1 AND event_id = ANY($2)";
  // Moves the cursor on only from where this reader started: a rebuild (or another node's catch-up) that moved
  // it meanwhile wins, and this reader starts again from the stored position.
  private static final String WRITE_CURSOR = """
      INSERT INTO nexus_cursor (consumer, source, position) VALUES ($1, $2, $3)
      ON CONFLICT (consumer, source) DO UPDATE SET position = EXCLUDED.position WHERE nexus_cursor.position = $4
      RETURNING position""";
  private static final String REWIND = """
      INSERT INTO nexus_cursor (consumer, source, position) VALUES ($1, $2, 0)
      ON CONFLICT (consumer, source) DO UPDATE SET position = 0""";

  private final Vertx vertx;
  private final Pool pool;
  private final String consumer;
  private final String source;
  private final Set<String> types;
  private final Nexus.EventHandler handler;
  private final NexusParking parking;
  private final long catchUpMs;
  /** The consuming domain: a group is named after it ({@code finance}, or {@code education.catalog-cache}). */
  private final String domain;
  private final List<MessageConsumer<JsonObject>> live = new ArrayList<>();
  private long timer = -1;
  /** Clears the read model this group keeps, for a rebuild from the producer's whole feed; null: not rebuildable. */
  private java.util.function.Function<SqlClient, Future<Void>> readModelReset;
  private Runnable readModelCleared;
  /** Runs after each event's handling committed (caches of the read model move on), if set. */
  private java.util.function.Consumer<DomainEvent> afterCommit;
  private boolean catchingUp;
  private boolean stopped;
  /** Live deliveries being handled now, and the promise stop() waits on until there are none. */
  private int handling;
  private Promise<Void> drained;
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
    this.catchUpMs = config.catchUpMs();
    int dot = consumer.indexOf('.');
    this.domain = dot < 0 ? consumer : consumer.substring(0, dot);
  }

  /**
   * Makes this group's read model rebuildable from the producer's feed: {@code reset} clears it (in the
   * rebuild's transaction), {@code cleared} runs once that committed (to drop caches of it). A read model
   * kept only from events can then be rebuilt after a change in how events are read (a new synonym, a fixed
   * bug) or a loss, with no access to the producer's database.
   */
  public NexusSubscription rebuildable(java.util.function.Function<SqlClient, Future<Void>> reset, Runnable cleared) {
    this.readModelReset = reset;
    this.readModelCleared = cleared;
    return this;
  }

  String consumer() {
    return consumer;
  }

  /**
   * Runs {@code action} once an event's handling has committed: for what must follow the commit, such as
   * moving a cache on (done inside the handler, a reader could fill the cache from the database between
   * the move and the commit, and keep the old state until the entry expires).
   */
  public NexusSubscription afterCommit(java.util.function.Consumer<DomainEvent> action) {
    this.afterCommit = action;
    return this;
  }

  /**
   * Rebuild: in one transaction the read model is cleared, the group forgets which events it handled and its
   * cursor goes back to the feed's start; the catch-ups (this node's now, every node's next round) then read
   * the whole feed again, in order. Answers the rewound cursor {consumer, source, position: 0}.
   */
  Future<JsonObject> rebuild() {
    if (readModelReset == null) {
      return Future.failedFuture(new java.util.NoSuchElementException(consumer + " keeps no rebuildable read model"));
    }
    return pool.withTransaction(tx -> readModelReset.apply(tx)
            .compose(v -> tx.preparedQuery("DELETE FROM nexus_inbox WHERE consumer = $1 AND type = ANY($2)")
                .execute(Tuple.tuple().addString(consumer).addArrayOfString(types.toArray(String[]::new))))
            .compose(v -> tx.preparedQuery(REWIND).execute(Tuple.of(consumer, source))))
        .map(v -> {
          log.info("{} rebuilds its read model from {}'s feed", consumer, source);
          readModelCleared.run();
          catchUpIfFirst();
          return new JsonObject().put("consumer", consumer).put("source", source).put("position", 0);
        });
  }

  /** True if this subscription is {@code consumer}'s, for events like {@code event}. */
  boolean handles(String consumer, DomainEvent event) {
    return this.consumer.equals(consumer) && source.equals(event.source()) && types.contains(event.type());
  }

  Future<Void> start() {
    for (String type : types) {
      live.add(vertx.eventBus().<JsonObject>consumer(Nexus.groupAddress(type, consumer), this::onDelivery));
    }
    CatchUps.join(vertx, this);
    timer = vertx.setPeriodic(catchUpMs, id -> catchUpIfFirst());
    return Future.all(live.stream().map(MessageConsumer::completion).toList())
        .compose(v -> NexusGroups.join(vertx, consumer, types))
        .onSuccess(v -> catchUpIfFirst());
  }

  /** Stops consuming: live events stop arriving, no new catch-up starts, the one running finishes first. */
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    CatchUps.leave(vertx, this);
    Future<Void> unregistered = Future.all(live.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
    Future<Void> caughtUp = catchingUp ? (idle = Promise.promise()).future() : Future.succeededFuture();
    // Deliveries being handled finish before the domain closes its pool (each is one short transaction).
    Future<Void> settled = handling == 0 ? Future.succeededFuture() : (drained = Promise.promise()).future();
    return Future.all(unregistered, caughtUp, settled).mapEmpty();
  }

  /** An event the relay sent this member: the answer tells it whether to try another member. */
  private void onDelivery(Message<JsonObject> msg) {
    if (stopped) {
      msg.fail(503, "stopping");  // the relay sends it to another member (or the catch-up takes it)
      return;
    }
    DomainEvent event = DomainEvent.fromJson(msg.body());
    handling++;
    handle(event)
        .onComplete(ar -> {
          if (--handling == 0 && drained != null) {
            drained.tryComplete();
          }
        })
        .onSuccess(msg::reply)
        .onFailure(err -> {
          log.warn("{} could not handle {} {} now; another member or the catch-up retries it", consumer, event.type(),
              event.id(), err);
          msg.fail(500, NexusParking.describe(err));
        });
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
                : handler.handle(tx, event).map(true)))
        // Whatever the handler emitted goes out now, not at the relay's next poll.
        .onSuccess(handled -> {
          if (handled) {
            OutboxRelay.nudge(vertx, domain);
            if (afterCommit != null) {
              afterCommit.accept(event);
            }
          }
        });
  }

  private void catchUpIfFirst() {
    if (CatchUps.first(vertx, this)) {
      catchUp();
    }
  }

  /** Reads the feed from the cursor and handles what is new, in order, until it is drained. */
  private void catchUp() {
    if (catchingUp || stopped) {
      return;
    }
    catchingUp = true;
    // The stored cursor each round (one key lookup): a rebuild on any node rewinds it for every node.
    pool.preparedQuery(READ_CURSOR).execute(Tuple.of(consumer, source))
        .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong(0))
        .compose(this::readFrom)
        .onFailure(err -> {
          log.debug("{} catch-up from {} postponed: {}", consumer, source, err.getMessage());
        })
        .onComplete(ar -> {
          catchingUp = false;
          if (idle != null) {
            idle.tryComplete();
          }
        });
  }

  private Future<Void> readFrom(long after) {
    // Events relayed in the last moments are usually being handled live: reading them now would mostly race
    // that (harmlessly: the inbox keeps each handled once), so the catch-up leaves them for its next round.
    JsonObject request = new JsonObject().put("after", after).put("limit", 200).put("settledMs", catchUpMs);
    return vertx.eventBus().<JsonObject>request(Nexus.feedAddress(source), request,
            new DeliveryOptions().setSendTimeout(5000))
        .compose(reply -> {
          JsonArray events = reply.body().getJsonArray("events");
          long next = reply.body().getLong("next");
          log.debug("{} read {} event(s) of {} after position {}", consumer, events.size(), source, after);
          if (events.isEmpty()) {
            return Future.succeededFuture();
          }
          // Most were delivered live: one query finds those, so only the rest cost a transaction each.
          return Future.all(parking.waiting(), handledAlready(events))
              .compose(both -> handleInOrder(events, 0, after, both.resultAt(0), both.resultAt(1)))
              .compose(reached -> reached == after ? Future.<Void>succeededFuture()
                  : pool.preparedQuery(WRITE_CURSOR).execute(Tuple.of(consumer, source, reached, after)).compose(moved ->
                      moved.size() == 1 && reached == next && !stopped ? readFrom(next) : Future.<Void>succeededFuture()));
        });
  }

  private Future<Set<UUID>> handledAlready(JsonArray events) {
    UUID[] ids = new UUID[events.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = canonicalId(DomainEvent.fromJson(events.getJsonObject(i).getJsonObject("envelope")));
    }
    return pool.preparedQuery(HANDLED).execute(Tuple.tuple().addString(consumer).addArrayOfUUID(ids)).map(rows -> {
      Set<UUID> handled = new java.util.HashSet<>();
      rows.forEach(r -> handled.add(r.getUUID(0)));
      return handled;
    });
  }

  /**
   * Handles the events from {@code index} in order and answers the feed position up to which all are done:
   * handled, handled before, or parked. It stops before an event that failed now (or still waits out its
   * back-off), which the next catch-up tries again.
   */
  private Future<Long> handleInOrder(JsonArray events, int index, long reached, Map<UUID, OffsetDateTime> waiting,
                                     Set<UUID> handled) {
    if (index == events.size() || stopped) {
      return Future.succeededFuture(reached);  // stopping: the position reached is kept, the rest waits
    }
    JsonObject entry = events.getJsonObject(index);
    if (Boolean.FALSE.equals(entry.getBoolean("settled"))) {
      return Future.succeededFuture(reached);  // the next catch-up takes it, if live delivery has not
    }
    long position = entry.getLong("position");
    DomainEvent event = DomainEvent.fromJson(entry.getJsonObject("envelope"));
    UUID id = canonicalId(event);
    OffsetDateTime retryAt = waiting.get(id);
    if (handled.contains(id) && retryAt == null) {
      return handleInOrder(events, index + 1, position, waiting, handled);
    }
    if (retryAt != null && retryAt.isAfter(OffsetDateTime.now()) && !handled.contains(id)) {
      return Future.succeededFuture(reached);
    }
    return handle(event)
        // Handled now (or before, live): its failed attempts are history.
        .compose(v -> retryAt == null ? Future.succeededFuture(true) : parking.recovered(id).map(true))
        .recover(err -> parking.failed(event, err))
        .compose(done -> done ? handleInOrder(events, index + 1, position, waiting, handled) : Future.succeededFuture(reached));
  }

  private static UUID canonicalId(DomainEvent event) {
    try {
      return UUID.fromString(event.id());
    } catch (RuntimeException e) {
      return new UUID(0, 0);
    }
  }

  /** The members of each group on each node, in joining order: the first of them runs the group's catch-up there. */
  private static final class CatchUps {
    private static final Map<Vertx, Map<String, List<NexusSubscription>>> MEMBERS = new java.util.HashMap<>();

    private CatchUps() {
    }

    static void join(Vertx vertx, NexusSubscription member) {
      synchronized (MEMBERS) {
        MEMBERS.computeIfAbsent(vertx, v -> new java.util.HashMap<>())
            .computeIfAbsent(member.consumer + " " + member.source, k -> new ArrayList<>()).add(member);
      }
    }

    static void leave(Vertx vertx, NexusSubscription member) {
      synchronized (MEMBERS) {
        Map<String, List<NexusSubscription>> groups = MEMBERS.get(vertx);
        if (groups == null) {
          return;
        }
        String key = member.consumer + " " + member.source;
        List<NexusSubscription> members = groups.get(key);
        if (members != null && members.remove(member) && members.isEmpty()) {
          groups.remove(key);
          if (groups.isEmpty()) {
            MEMBERS.remove(vertx);
          }
        }
      }
    }

    static boolean first(Vertx vertx, NexusSubscription member) {
      synchronized (MEMBERS) {
        List<NexusSubscription> members = MEMBERS.getOrDefault(vertx, Map.of()).get(member.consumer + " " + member.source);
        return members != null && !members.isEmpty() && members.get(0) == member;
      }
    }
  }
}
