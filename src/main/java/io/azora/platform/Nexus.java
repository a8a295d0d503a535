package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Nexus, the bus of domain events. A producer writes events into its own outbox inside the transaction
 * that makes the change ({@link #emit}); once committed, the {@link OutboxRelay} sends each to one member
 * of every consumer group that takes its type; a consumer ({@link #subscribe}: all instances of a domain,
 * on every node, form one group) handles each event exactly once, in its own transaction, and catches up
 * from the producer's feed whatever it missed while it was down.
 */
public final class Nexus {

  static final String INSERT_OUTBOX = "INSERT INTO nexus_outbox (id, type, envelope) VALUES ($1::uuid, $2, $3)";

  private Nexus() {
  }

  /** Writes an event of {@code type} with {@code data} into the outbox, in the caller's transaction. */
  public static Future<DomainEvent> emit(SqlClient tx, EventType type, JsonObject data) {
    return emit(tx, DomainEvent.create(type, data));
  }

  /** Writes {@code event} into its source's outbox, in the caller's transaction. */
  public static Future<DomainEvent> emit(SqlClient tx, DomainEvent event) {
    return tx.preparedQuery(INSERT_OUTBOX)
        .execute(Tuple.of(event.id(), event.type(), event.toJson()))
        .map(rows -> event);
  }

  /**
   * This node's relay of {@code domain}'s outbox (in the domain's database), shared by the domain's verticle
   * instances: each acquires it when it starts and releases it when it stops.
   */
  public static Future<Relay> relay(Vertx vertx, AzoraConfig config, String domain) {
    return relay(vertx, config, config.database().nameOf(domain), domain);
  }

  /** This node's relay of {@code source}'s outbox in database {@code databaseName}. */
  public static Future<Relay> relay(Vertx vertx, AzoraConfig config, String databaseName, String source) {
    return OutboxRelay.acquire(vertx, config, databaseName, source);
  }

  /** A share of this node's relay of one domain; the last release stops it. */
  @FunctionalInterface
  public interface Relay {
    Future<Void> release();
  }

  /**
   * Handles the events {@code types} (all of one producer) once each, as consumer group {@code consumer}
   * (named after the consuming domain: {@code finance}, or {@code education.catalog-cache}), with the
   * handler's writes and the inbox row in one transaction.
   */
  public static Future<NexusSubscription> subscribe(Vertx vertx, Pool pool, String consumer, Set<EventType> types,
                                                    EventHandler handler) {
    Set<String> sources = types.stream().map(EventType::source).collect(Collectors.toSet());
    if (sources.size() != 1) {
      throw new IllegalArgumentException("A subscription takes the events of one producer, not " + sources);
    }
    AzoraConfig.Nexus config = AzoraConfig.from(Vertx.currentContext() == null ? new JsonObject()
        : Vertx.currentContext().config()).nexus();
    NexusSubscription subscription = new NexusSubscription(vertx, pool, consumer, sources.iterator().next(),
        types.stream().map(EventType::name).collect(Collectors.toSet()), handler, config);
    return subscription.start().map(subscription);
  }

  @FunctionalInterface
  public interface EventHandler {
    Future<Void> handle(SqlClient tx, DomainEvent event);
  }

  /** A handler's refusal of an event it can never handle (its data is malformed): parked at once, not retried. */
  public static final class Malformed extends RuntimeException {
    public Malformed(String message) {
      super(message, null, false, false);
    }
  }

  /** Where the members of consumer group {@code group} take events of {@code type}, one member each. */
  public static String groupAddress(String type, String group) {
    return DomainEvent.address(type) + "::" + group;
  }

  public static String feedAddress(String source) {
    return "nexus.feed." + source;
  }

  /** Where a domain answers operators about its parked events (list, retry) and rebuilds its read models. */
  public static String parkedAddress(String domain) {
    return "azora.nexus.parked." + domain;
  }

  /**
   * A domain's parked events for operators, on the bus at {@link #parkedAddress}: {@code {action: "list",
   * limit}} → {items}; {@code {action: "retry", id}} → {id, outcome: handled|failed, lastError?}, the event
   * handled again by its consumer (once: the inbox still guards), or 404 if it is not parked here;
   * {@code {action: "rebuild", consumer}} → {consumer, source, position: 0} (see {@link NexusSubscription#rebuildable}),
   * or 404 if no rebuildable group of that name consumes here.
   */
  public static MessageConsumer<JsonObject> parkedEvents(Vertx vertx, Pool pool, String domain,
                                                         List<NexusSubscription> subscriptions) {
    return vertx.eventBus().consumer(parkedAddress(domain), msg -> {
      JsonObject body = msg.body();
      String action = body.getString("action", "list");
      Future<JsonObject> answer = "retry".equals(action) ? retryParked(pool, body.getString("id"), subscriptions)
          : "rebuild".equals(action) ? rebuild(body.getString("consumer"), subscriptions)
          : NexusParking.list(pool, Math.min(body.getInteger("limit", 100), 500)).map(items -> new JsonObject().put("items", items));
      answer.onSuccess(msg::reply).onFailure(err -> msg.fail(err instanceof java.util.NoSuchElementException ? 404 : 500,
          String.valueOf(err.getMessage())));
    });
  }

  /** Rebuilds the read model of the group named {@code consumer}, if it is one of this domain's. */
  private static Future<JsonObject> rebuild(String consumer, List<NexusSubscription> subscriptions) {
    return subscriptions.stream().filter(s -> s.consumer().equals(consumer)).findFirst()
        .map(NexusSubscription::rebuild)
        .orElseGet(() -> Future.failedFuture(new java.util.NoSuchElementException("no consumer " + consumer + " here")));
  }

  private static Future<JsonObject> retryParked(Pool pool, String id, List<NexusSubscription> subscriptions) {
    UUID parkedId;
    try {
      parkedId = UUID.fromString(id);
    } catch (RuntimeException e) {
      return Future.failedFuture(new java.util.NoSuchElementException("no such parked event"));
    }
    return pool.preparedQuery("SELECT consumer, envelope FROM nexus_parked WHERE id = $1").execute(Tuple.of(parkedId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new java.util.NoSuchElementException("no such parked event"));
          }
          String consumer = rows.iterator().next().getString("consumer");
          DomainEvent event = DomainEvent.fromJson(rows.iterator().next().getJsonObject("envelope"));
          NexusSubscription subscription = subscriptions.stream().filter(s -> s.handles(consumer, event)).findFirst()
              .orElse(null);
          if (subscription == null) {
            return Future.failedFuture(new java.util.NoSuchElementException("no consumer " + consumer + " here"));
          }
          JsonObject answer = new JsonObject().put("id", id).put("eventId", event.id()).put("consumer", consumer);
          return subscription.handle(event)
              .compose(v -> pool.preparedQuery("DELETE FROM nexus_parked WHERE id = $1").execute(Tuple.of(parkedId))
                  .map(answer.put("outcome", "handled")))
              .recover(err -> pool.preparedQuery("UPDATE nexus_parked SET attempts = attempts + 1, last_error = $2 WHERE id = $1")
                  .execute(Tuple.of(parkedId, NexusParking.describe(err)))
                  .map(answer.put("outcome", "failed").put("lastError", NexusParking.describe(err))));
        });
  }
}
