package io.azora.platform;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Delivers a domain's committed outbox events to their consumer groups and serves its feed.
 *
 * <p>One relay per domain per node, shared by the domain's verticle instances ({@link #acquire}) and
 * deployed on its own, so it outlives whichever instance started it. Of the nodes' relays only the lease
 * holder works: it holds a PostgreSQL session advisory lock on a connection of its own, so one relay at a
 * time gives events their feed {@code position} (positions become visible strictly in order, and a
 * consumer reading "after N" never skips an event committed late). It claims when a producer's commit
 * nudges it, and every {@code nexus.relayPollMs} in case a nudge was lost, and sends each event to one
 * member of each consuming group, retried with another member if that one fails. The other relays try
 * for the lease every few seconds, and serve the feed meanwhile. Live delivery is the fast path; the feed
 * is the guarantee.
 */
public final class OutboxRelay extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  private static final int BATCH = 256;
  private static final long LEASE_RETRY_MS = 5000;
  /** A claim that takes longer means the lease connection is in trouble: give the lease up, let another try. */
  private static final long CLAIM_DEADLINE_MS = 10_000;
  private static final long DELIVERY_TIMEOUT_MS = 10_000;
  private static final int DELIVERY_ATTEMPTS = 3;
  /** Deliveries awaiting an answer beyond this are left to the groups' catch-up rather than queued. */
  private static final int MAX_IN_FLIGHT = 4096;
  private static final long GROUPS_REFRESH_MS = 5000;
  // The key old relays took per transaction, so a relay of the previous release and this one never both claim.
  private static final String LEASE = "SELECT pg_try_advisory_lock(7061727, hashtext('nexus_relay'))";
  // A holder whose machine vanished loses the lease in about 25 s, not after the kernel's two hours.
  private static final String KEEPALIVES = """
      SELECT set_config('tcp_keepalives_idle', '10', false), set_config('tcp_keepalives_interval', '5', false),
             set_config('tcp_keepalives_count', '3', false)""";
  private static final String HEAD = "SELECT coalesce(max(position), 0) FROM nexus_outbox";
  // Positions follow insertion order and continue from the highest given; safe under the lease.
  private static final String CLAIM = """
      WITH claimed AS (SELECT seq, row_number() OVER (ORDER BY seq) AS n
                       FROM nexus_outbox WHERE position IS NULL ORDER BY seq LIMIT $1),
           base AS (SELECT coalesce(max(position), 0) AS b FROM nexus_outbox)
      UPDATE nexus_outbox o SET position = base.b + claimed.n, published_at = now()
      FROM claimed, base WHERE o.seq = claimed.seq
      RETURNING o.seq, o.position, o.envelope""";

  private static final Map<Vertx, Map<String, Shared>> NODE_RELAYS = new HashMap<>();

  private final AzoraConfig.Database database;
  private final String databaseName;
  private final String source;
  private final long pollMs;
  private Pool pool;
  private MessageConsumer<JsonObject> feedConsumer;
  private MessageConsumer<Object> nudgeConsumer;
  private MessageConsumer<Object> joinedConsumer;
  /** Kept open: holding the lease on it, or ready to try again. */
  private PgConnection connection;
  private boolean holder;
  private boolean leasing;
  /** The highest position given, while holding the lease: a feed read past it is answered without a query. */
  private long head;
  private long leaseTimer = -1;
  private long pollTimer = -1;
  private Map<String, Set<String>> groups = Map.of();
  private long groupsReadAt;
  private int inFlight;
  private boolean draining;
  /** A claim was put off because too many deliveries were in flight. */
  private boolean starved;
  private boolean again;
  private boolean stopped;
  /** Completes when no claim is running: a stop waits for it. */
  private Promise<Void> idle;
  private Counter delivered;
  private Counter retried;
  private Counter undelivered;

  private OutboxRelay(AzoraConfig.Database database, String databaseName, String source, long pollMs) {
    this.database = database;
    this.databaseName = databaseName;
    this.source = source;
    this.pollMs = pollMs;
  }

  /**
   * This node's relay of {@code source} (whose outbox is in database {@code databaseName}): started by the
   * first of the domain's instances to ask, stopped when the last one releases it.
   */
  static Future<Nexus.Relay> acquire(Vertx vertx, AzoraConfig config, String databaseName, String source) {
    Shared shared;
    synchronized (NODE_RELAYS) {
      Map<String, Shared> relays = NODE_RELAYS.computeIfAbsent(vertx, v -> new HashMap<>());
      shared = relays.get(source);
      if (shared == null) {
        shared = new Shared(deploy(vertx, new OutboxRelay(config.database(), databaseName, source,
            config.nexus().relayPollMs())));
        relays.put(source, shared);
      }
      shared.users++;
    }
    Shared acquired = shared;
    return acquired.deployment
        .<Nexus.Relay>map(id -> {
          AtomicBoolean released = new AtomicBoolean();
          return () -> released.compareAndSet(false, true) ? release(vertx, source, acquired) : Future.succeededFuture();
        })
        .onFailure(err -> release(vertx, source, acquired));
  }

  // Deployed from a context of its own: deployed from the asking instance, it would be undeployed with it.
  private static Future<String> deploy(Vertx vertx, OutboxRelay relay) {
    Promise<String> deployed = Promise.promise();
    ((VertxInternal) vertx).createEventLoopContext().runOnContext(v ->
        vertx.deployVerticle(relay, new DeploymentOptions()).onComplete(deployed));
    return deployed.future();
  }

  private static Future<Void> release(Vertx vertx, String source, Shared shared) {
    synchronized (NODE_RELAYS) {
      if (--shared.users > 0) {
        return Future.succeededFuture();
      }
      Map<String, Shared> relays = NODE_RELAYS.get(vertx);
      if (relays != null && relays.get(source) == shared) {
        relays.remove(source);
        if (relays.isEmpty()) {
          NODE_RELAYS.remove(vertx);
        }
      }
    }
    // Vert.x closing undeploys everything itself; undeploying again would only log an error.
    return shared.deployment
        .compose(id -> vertx.deploymentIDs().contains(id) ? vertx.undeploy(id) : Future.succeededFuture())
        .recover(err -> Future.succeededFuture());
  }

  private static final class Shared {
    final Future<String> deployment;
    int users;

    Shared(Future<String> deployment) {
      this.deployment = deployment;
    }
  }

  @Override
  public Future<?> start() {
    MeterRegistry registry = NodeMetrics.of(vertx);
    delivered = counter(registry, "delivered", "Events a consumer group's member took");
    retried = counter(registry, "retried", "Deliveries sent again to another member after a failure or timeout");
    undelivered = counter(registry, "undelivered", "Events left to a group's catch-up: no member, every attempt failed, or too many in flight");
    pool = Databases.pool(vertx, database, databaseName);
    OutboxFeed feed = new OutboxFeed(pool, () -> holder ? head : -1);
    feedConsumer = vertx.eventBus().consumer(Nexus.feedAddress(source), feed::serve);
    joinedConsumer = vertx.eventBus().consumer(NexusGroups.JOINED, msg -> groupsReadAt = 0);
    leaseTimer = vertx.setPeriodic(LEASE_RETRY_MS, id -> tryLease());
    return feedConsumer.completion().onSuccess(v -> tryLease());
  }

  private Counter counter(MeterRegistry registry, String outcome, String description) {
    return Counter.builder("azora.nexus.deliveries").description(description).tag("source", source)
        .tag("outcome", outcome).register(registry);
  }

  /** Stops relaying: no new claim starts, the running one finishes, the lease is given up. */
  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(leaseTimer);
    vertx.cancelTimer(pollTimer);
    Future<Void> claimed = draining ? (idle = Promise.promise()).future() : Future.succeededFuture();
    return claimed.compose(v -> Future.join(feedConsumer.unregister(), joinedConsumer.unregister(),
            nudgeConsumer == null ? Future.succeededFuture() : nudgeConsumer.unregister(),
            connection == null ? Future.succeededFuture() : connection.close()))
        .eventually(() -> pool.close());
  }

  /** Asks the lease holder, wherever it runs, to claim at once (call after a commit that emitted events). */
  public static void nudge(Vertx vertx, String source) {
    vertx.eventBus().send(nudgeAddress(source), null);
  }

  private static String nudgeAddress(String source) {
    return "nexus.relay." + source;
  }

  private void tryLease() {
    if (stopped || holder || leasing) {
      return;
    }
    leasing = true;
    Future<PgConnection> open = connection != null ? Future.succeededFuture(connection)
        : PgConnection.connect(vertx, Databases.connectOptions(database, databaseName)
                .addProperty("application_name", "azora-relay-" + source))
            .compose(conn -> conn.query(KEEPALIVES).execute().map(conn))
            .onSuccess(conn -> {
              connection = conn;
              conn.closeHandler(v -> lost(conn));
            });
    open.compose(conn -> stopped ? Future.<Boolean>failedFuture("stopped") : conn.query(LEASE).execute()
            .compose(rows -> !rows.iterator().next().getBoolean(0) ? Future.succeededFuture(false)
                : conn.query(HEAD).execute().map(h -> {
                  head = h.iterator().next().getLong(0);
                  return true;
                })))
        .onSuccess(won -> {
          if (won && !stopped) {
            lead();
          }
        })
        .onFailure(err -> log.debug("Relay of {} cannot try for the lease now: {}", source, err.getMessage()))
        .onComplete(ar -> {
          leasing = false;
          if (stopped && connection != null) {
            connection.close();  // a lease won (or a connection opened) while stopping is given back at once
          }
        });
  }

  private void lead() {
    holder = true;
    log.info("The relay of {} on this node holds the lease", source);
    nudgeConsumer = vertx.eventBus().consumer(nudgeAddress(source), msg -> drain());
    pollTimer = vertx.setPeriodic(pollMs, id -> drain());
    drain();
  }

  /** The lease connection closed (the database restarted, the network failed, or this relay gave it up). */
  private void lost(PgConnection conn) {
    if (connection != conn) {
      return;
    }
    connection = null;
    if (holder) {
      holder = false;
      vertx.cancelTimer(pollTimer);
      if (nudgeConsumer != null) {
        nudgeConsumer.unregister();
        nudgeConsumer = null;
      }
      if (!stopped) {
        log.warn("The relay of {} on this node lost the lease; another relay (or this one) takes over", source);
      }
    }
  }

  private void drain() {
    if (stopped || !holder) {
      return;
    }
    if (draining) {
      again = true;
      return;
    }
    if (inFlight > MAX_IN_FLIGHT / 2) {
      // Consumers are behind: claim more once half the deliveries in flight have been answered, rather
      // than overflow the limit and leave the excess to the (slower) catch-ups.
      starved = true;
      return;
    }
    draining = true;
    again = false;
    PgConnection conn = connection;
    long guard = vertx.setTimer(CLAIM_DEADLINE_MS, id -> {
      log.warn("The relay of {} could not claim within {} ms; giving up the lease", source, CLAIM_DEADLINE_MS);
      conn.close();
    });
    refreshGroups()
        .compose(v -> conn.preparedQuery(CLAIM).execute(Tuple.of(BATCH)))
        .onSuccess(rows -> {
          for (JsonObject envelope : inSeqOrder(rows)) {
            deliver(envelope);
          }
          again |= rows.size() == BATCH;
        })
        .onFailure(err -> {
          log.warn("The relay of {} failed to claim; giving up the lease", source, err);
          conn.close();
        })
        .onComplete(ar -> {
          vertx.cancelTimer(guard);
          draining = false;
          if (idle != null) {
            idle.tryComplete();
          }
          if (again) {
            drain();
          }
        });
  }

  private Future<Void> refreshGroups() {
    if (System.currentTimeMillis() - groupsReadAt < GROUPS_REFRESH_MS) {
      return Future.succeededFuture();
    }
    return NexusGroups.byType(vertx)
        .onSuccess(read -> {
          groups = read;
          groupsReadAt = System.currentTimeMillis();
        })
        .<Void>mapEmpty()
        .recover(err -> {
          log.warn("The relay of {} cannot read the consumer groups; delivering to those it knew", source, err);
          return Future.succeededFuture();
        });
  }

  private List<JsonObject> inSeqOrder(RowSet<Row> rows) {
    List<Row> list = new ArrayList<>();
    rows.forEach(list::add);
    list.sort(Comparator.comparingLong(r -> r.getLong("seq")));
    List<JsonObject> envelopes = new ArrayList<>(list.size());
    for (Row row : list) {
      head = Math.max(head, row.getLong("position"));
      envelopes.add(envelopeOf(row));
    }
    return envelopes;
  }

  static JsonObject envelopeOf(Row row) {
    Object value = row.getValue("envelope");
    return value instanceof JsonObject json ? json : new JsonObject(String.valueOf(value));
  }

  /**
   * Sends the event to one member of each group consuming its type, and publishes it for observers (tests,
   * live views) that want to see events but do not need them durably.
   */
  private void deliver(JsonObject envelope) {
    String type = envelope.getString("type");
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(DELIVERY_TIMEOUT_MS);
    String requestId = envelope.getString("requestId");
    if (requestId != null) {
      options.addHeader(RequestContext.REQUEST_ID, requestId);
    }
    vertx.eventBus().publish(DomainEvent.address(type), envelope, options);
    for (String group : groups.getOrDefault(type, Set.of())) {
      send(Nexus.groupAddress(type, group), envelope, options, DELIVERY_ATTEMPTS);
    }
  }

  private void send(String address, JsonObject envelope, DeliveryOptions options, int attemptsLeft) {
    if (inFlight >= MAX_IN_FLIGHT) {
      undelivered.increment();
      return;
    }
    inFlight++;
    vertx.eventBus().request(address, envelope, options).onComplete(ar -> {
      inFlight--;
      if (starved && inFlight <= MAX_IN_FLIGHT / 4) {
        starved = false;
        drain();
      }
      if (ar.succeeded()) {
        delivered.increment();
      } else if (attemptsLeft > 1 && !stopped
          && !(ar.cause() instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS)) {
        // Round-robin: the next send of this address goes to another member, if the group has one.
        retried.increment();
        send(address, envelope, options, attemptsLeft - 1);
      } else {
        undelivered.increment();
        log.debug("{} not delivered to {} now ({}); its catch-up will read it", envelope.getString("id"), address,
            ar.cause().getMessage());
      }
    });
  }
}
