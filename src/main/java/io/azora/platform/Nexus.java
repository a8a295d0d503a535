package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.Set;

/**
 * Nexus, the bus of domain events. A producer writes events into its own outbox inside the transaction
 * that makes the change ({@link #emit}); the {@link OutboxRelay} publishes them once committed; a
 * consumer ({@link #subscribe}) handles each event exactly once, in its own transaction, and catches up
 * from the producer's feed whatever it missed while it was down.
 */
public final class Nexus {

  static final String INSERT_OUTBOX = "INSERT INTO nexus_outbox (id, type, envelope) VALUES ($1::uuid, $2, $3)";

  private Nexus() {
  }

  /** Writes {@code type} with {@code data} into the outbox, in the caller's transaction. */
  public static Future<DomainEvent> emit(SqlClient tx, String source, String type, JsonObject data) {
    DomainEvent event = DomainEvent.create(source, type, data);
    return tx.preparedQuery(INSERT_OUTBOX)
        .execute(Tuple.of(event.id(), event.type(), event.toJson()))
        .map(rows -> event);
  }

  /** Starts publishing {@code source}'s outbox and serving its feed. Stop it with the verticle. */
  public static Future<OutboxRelay> relay(Vertx vertx, Pool pool, String source) {
    OutboxRelay relay = new OutboxRelay(vertx, pool, source);
    return relay.start().map(relay);
  }

  /**
   * Handles the events {@code types} of {@code source} once each, as {@code consumer}, with the
   * handler's writes and the inbox row in one transaction.
   */
  public static Future<NexusSubscription> subscribe(Vertx vertx, Pool pool, String consumer, String source,
                                                    Set<String> types, EventHandler handler) {
    NexusSubscription subscription = new NexusSubscription(vertx, pool, consumer, source, types, handler);
    return subscription.start().map(subscription);
  }

  @FunctionalInterface
  public interface EventHandler {
    Future<Void> handle(SqlClient tx, DomainEvent event);
  }

  public static String feedAddress(String source) {
    return "nexus.feed." + source;
  }
}
