package io.azora.support;

import io.azora.platform.AzoraConfig;
import io.azora.platform.Databases;
import io.azora.platform.DomainEvent;
import io.azora.platform.Nexus;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.concurrent.TimeUnit;

/**
 * A stand-in for education's side of Nexus on a test node that runs without education: its own outbox
 * (a database of its own, the real relay), so tests write exactly the events finance should handle.
 */
public final class StandInEducation implements AutoCloseable {

  private final Pool outbox;
  private final Nexus.Relay relay;

  private StandInEducation(Pool outbox, Nexus.Relay relay) {
    this.outbox = outbox;
    this.relay = relay;
  }

  public static StandInEducation start(TestNode node) throws Exception {
    AzoraConfig config = AzoraConfig.from(node.config);
    Pool outbox = Databases.open(node.vertx(), config.database(), node.prefix + "fakeedu", null).await(30, TimeUnit.SECONDS);
    return new StandInEducation(outbox, Nexus.relay(node.vertx(), config, node.prefix + "fakeedu", "education")
        .await(10, TimeUnit.SECONDS));
  }

  /** Writes an event of {@code type} into the outbox (the relay publishes it at once). */
  public DomainEvent emit(String type, JsonObject data) throws Exception {
    return outbox.withTransaction(tx -> Nexus.emit(tx, "education", type, data)).await(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    relay.release().await(5, TimeUnit.SECONDS);
    outbox.close().await(5, TimeUnit.SECONDS);
  }
}
