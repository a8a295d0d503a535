package io.azora.platform;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Poison events: each failed attempt at an event is counted, the next one waits (exponential back-off),
 * and after {@code nexus.maxAttempts} (at once, if the handler says the event is {@link Nexus.Malformed}) the event is parked (stored with its last error, counted in a
 * metric, logged) so that the consumer's catch-up moves on to the events after it. Parked events are
 * listed and retried by operators (GET /api/admin/nexus/parked).
 */
final class NexusParking {

  private static final Logger log = LoggerFactory.getLogger(NexusParking.class);
  private static final long MAX_BACKOFF_MS = 300_000;
  private static final String FAILED = """
      INSERT INTO nexus_failures AS f (consumer, event_id, attempts, last_error, next_attempt_at)
      VALUES ($1, $2, 1, $3, clock_timestamp() + make_interval(secs => $4::double precision / 1000))
      ON CONFLICT (consumer, event_id) DO UPDATE SET attempts = f.attempts + 1, last_error = $3,
        next_attempt_at = clock_timestamp() + make_interval(secs => least($5, $4 * power(2, f.attempts)) / 1000)
      RETURNING attempts""";
  private static final String PARK = """
      WITH gone AS (DELETE FROM nexus_failures WHERE consumer = $2 AND event_id = $4)
      INSERT INTO nexus_parked (id, consumer, source, event_id, type, envelope, attempts, last_error)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (consumer, event_id) DO NOTHING""";
  private static final String WAITING = "SELECT event_id, next_attempt_at FROM nexus_failures WHERE consumer = $1";
  private static final String RECOVERED = "DELETE FROM nexus_failures WHERE consumer = $1 AND event_id = $2";

  private final Pool pool;
  private final String consumer;
  private final String source;
  private final AzoraConfig.Nexus config;
  private final Counter parked;

  NexusParking(Pool pool, String consumer, String source, AzoraConfig.Nexus config, MeterRegistry registry) {
    this.pool = pool;
    this.consumer = consumer;
    this.source = source;
    this.config = config;
    this.parked = Counter.builder("azora.nexus.events.parked").description("Events a consumer parked after its retries")
        .tag("consumer", consumer).register(registry);
  }

  /** Events of this consumer waiting out a back-off, and until when. */
  Future<Map<UUID, OffsetDateTime>> waiting() {
    return pool.preparedQuery(WAITING).execute(Tuple.of(consumer)).map(rows -> {
      Map<UUID, OffsetDateTime> out = new HashMap<>();
      for (Row r : rows) {
        out.put(r.getUUID("event_id"), r.getOffsetDateTime("next_attempt_at"));
      }
      return out;
    });
  }

  /** Forgets the failed attempts at an event that has now been handled. */
  Future<Void> recovered(UUID eventId) {
    return pool.preparedQuery(RECOVERED).execute(Tuple.of(consumer, eventId)).mapEmpty();
  }

  /** Counts a failed attempt at {@code event}; true if it is now parked (the consumer moves on). */
  Future<Boolean> failed(DomainEvent event, Throwable error) {
    String message = describe(error);
    UUID eventId = UUID.fromString(event.id());
    return pool.preparedQuery(FAILED).execute(Tuple.of(consumer, eventId, message, config.retryBaseMs(), MAX_BACKOFF_MS))
        .compose(rows -> {
          int attempts = rows.iterator().next().getInteger(0);
          if (attempts < config.maxAttempts() && !(error instanceof Nexus.Malformed)) {
            log.warn("{} could not handle {} {} (attempt {} of {}): {}", consumer, event.type(), event.id(), attempts,
                config.maxAttempts(), message);
            return Future.succeededFuture(false);
          }
          return pool.preparedQuery(PARK).execute(Tuple.of(UUID.randomUUID(), consumer, source, eventId, event.type(),
                  event.toJson(), attempts, message))
              .map(v -> {
                parked.increment();
                log.error("{} parked {} {} after {} attempts and moves on: {}", consumer, event.type(), event.id(),
                    attempts, message);
                return true;
              });
        });
  }

  static String describe(Throwable error) {
    String message = error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    return message.length() > 2000 ? message.substring(0, 2000) : message;
  }

  /** The parked events of every consumer in {@code pool}'s database, newest first: {id, type, consumer, ...}. */
  static Future<JsonArray> list(Pool pool, int limit) {
    return pool.preparedQuery("""
            SELECT id, consumer, source, event_id, type, attempts, last_error, parked_at FROM nexus_parked
            ORDER BY parked_at DESC, id LIMIT $1""")
        .execute(Tuple.of(limit)).map(rows -> {
          JsonArray items = new JsonArray();
          for (Row r : rows) {
            items.add(new JsonObject().put("id", r.getUUID("id").toString()).put("type", r.getString("type"))
                .put("consumer", r.getString("consumer")).put("source", r.getString("source"))
                .put("eventId", r.getUUID("event_id").toString()).put("attempts", r.getInteger("attempts"))
                .put("lastError", r.getString("last_error"))
                .put("parkedAt", r.getOffsetDateTime("parked_at").toInstant().toString()));
          }
          return items;
        });
  }
}
