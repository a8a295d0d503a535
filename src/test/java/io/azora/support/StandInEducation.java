package io.azora.support;

import io.azora.platform.EventType;
import io.azora.platform.AzoraConfig;
import io.azora.platform.Databases;
import io.azora.platform.DomainEvent;
import io.azora.platform.Nexus;
import io.azora.platform.OutboxRelay;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.concurrent.TimeUnit;

/**
 * A stand-in for education's side of Nexus on a test node that runs without education: its own outbox
 * (a database of its own, the real relay), so tests write exactly the events finance should handle.
 */
public final class StandInEducation implements AutoCloseable {

  private final Vertx vertx;
  private final Pool outbox;
  private final Nexus.Relay relay;

  private StandInEducation(Vertx vertx, Pool outbox, Nexus.Relay relay) {
    this.vertx = vertx;
    this.outbox = outbox;
    this.relay = relay;
  }

  public static StandInEducation start(TestNode node) throws Exception {
    AzoraConfig config = AzoraConfig.from(node.config);
    Pool outbox = Databases.open(node.vertx(), config.database(), node.prefix + "fakeedu", null).await(30, TimeUnit.SECONDS);
    return new StandInEducation(node.vertx(), outbox, Nexus.relay(node.vertx(), config, node.prefix + "fakeedu", "education")
        .await(10, TimeUnit.SECONDS));
  }

  /** Writes an event of {@code type} into the outbox and nudges the relay, as a producer does after its commit. */
  public DomainEvent emit(EventType type, JsonObject data) throws Exception {
    DomainEvent event = outbox.withTransaction(tx -> Nexus.emit(tx, type, data)).await(10, TimeUnit.SECONDS);
    OutboxRelay.nudge(vertx, "education");
    return event;
  }

  /** Writes events of {@code type}, one per entry of {@code data}, in one transaction: a burst, relayed together. */
  public java.util.List<DomainEvent> emitAll(EventType type, java.util.List<JsonObject> data) throws Exception {
    java.util.List<DomainEvent> events = data.stream().map(d -> DomainEvent.create(type, d)).toList();
    outbox.withTransaction(tx -> {
      io.vertx.core.Future<?> written = io.vertx.core.Future.succeededFuture();
      for (DomainEvent e : events) {
        written = written.compose(v -> Nexus.emit(tx, e));
      }
      return written;
    }).await(10, TimeUnit.SECONDS);
    OutboxRelay.nudge(vertx, "education");
    return events;
  }

  @Override
  public void close() throws Exception {
    relay.release().await(5, TimeUnit.SECONDS);
    outbox.close().await(5, TimeUnit.SECONDS);
  }
}
