package io.azora.platform;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.function.Function;

/**
 * Where a domain's search reads go: a streaming replica of its database when
 * {@code database.readUrls.<domain>} names one, else the primary. A read goes to the replica only when the
 * replica has replayed everything the primary had committed as the read began (the primary's WAL insert
 * position, asked first: one round trip with no table in it; a replica just behind it is given 20 ms). So a reader that has seen a change (the cache's new
 * version, its own write) never gets an answer from before it, and a cache entry filled under a version
 * never holds what preceded that version. A replica that is behind, down or in conflict with recovery is
 * passed over for the primary at once (its connections time out in a second).
 */
public final class ReadPool {

  private static final Logger log = LoggerFactory.getLogger(ReadPool.class);
  /**
   * The insert position, not the write position: with asynchronous commit (a server's or a session's
   * setting) a commit returns before its record is written, and only the insert position is sure to be past it.
   */
  private static final String PRIMARY_POSITION = "SELECT pg_current_wal_insert_lsn()::text";
  /** A replica a few milliseconds behind (it always is, under writes) is waited for this long, in steps, first. */
  private static final long CATCH_UP_WAIT_MS = 20;
  private static final long CATCH_UP_STEP_MS = 5;
  /** On the replica's connection that will run the read; a primary given as its own replica is always current. */
  private static final String CAUGHT_UP = "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= $1::pg_lsn";
  private static final String WHICH_SERVER = "SELECT system_identifier::text || '/' || current_database() FROM pg_control_system()";

  private final Vertx vertx;
  private final Pool primary;
  private final Pool replica;
  private final Counter onReplica;
  private final Counter onPrimary;

  private ReadPool(Vertx vertx, String domain, Pool primary, Pool replica) {
    this.vertx = vertx;
    this.primary = primary;
    this.replica = replica;
    var registry = NodeMetrics.of(vertx);
    this.onReplica = Counter.builder("azora.db.reads").tag("domain", domain).tag("served", "replica")
        .description("Search reads, by where they were served").register(registry);
    this.onPrimary = Counter.builder("azora.db.reads").tag("domain", domain).tag("served", "primary")
        .description("Search reads, by where they were served").register(registry);
  }

  /**
   * The read pool of {@code domain} beside its {@code primary}: fails (a configuration error, at start) when
   * the URL names a server that is not a replica of the domain's database.
   */
  public static Future<ReadPool> open(Vertx vertx, AzoraConfig.Database config, String domain, Pool primary) {
    String url = config.readUrlOf(domain);
    if (url.isBlank()) {
      return Future.succeededFuture(new ReadPool(vertx, domain, primary, null));
    }
    PgConnectOptions options = PgConnectOptions.fromUri(url).setCachePreparedStatements(true).setPipeliningLimit(256);
    if (options.getDatabase() == null || options.getDatabase().isBlank()) {
      options.setDatabase(config.nameOf(domain));
    }
    Pool replica = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.poolSize()).setMaxWaitQueueSize(4096).setConnectionTimeout(1)
            .setShared(true).setName("pg-read-" + options.getDatabase())
            .setEventLoopSize(Runtime.getRuntime().availableProcessors()))
        .with(new io.vertx.core.net.NetClientOptions().setConnectTimeout(1_000))
        .connectingTo(options).using(vertx).build();
    // A replica shares its primary's system identifier: any other server is a mistake, refused at start.
    return Future.all(primary.query(WHICH_SERVER).execute(), replica.query(WHICH_SERVER).execute())
        .compose(both -> {
          String ours = both.<io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>>resultAt(0).iterator().next().getString(0);
          String theirs = both.<io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>>resultAt(1).iterator().next().getString(0);
          if (!Objects.equals(ours, theirs)) {
            return Future.failedFuture(new IllegalStateException("database.readUrls." + domain
                + " is not a replica of the " + domain + " database (server/database " + theirs + ", expected " + ours + ")"));
          }
          log.info("{} search reads go to its replica when it has caught up", domain);
          return Future.succeededFuture(new ReadPool(vertx, domain, primary, replica));
        }, err -> Future.failedFuture(new IllegalStateException("database.readUrls." + domain + " cannot be reached: "
            + err.getMessage(), err)))
        .onFailure(err -> replica.close());
  }

  /** Runs {@code query} (one or more statements on one connection) on the replica if it is current, else on the primary. */
  public <T> Future<T> read(Function<SqlClient, Future<T>> query) {
    if (replica == null) {
      return query.apply(primary);
    }
    return primary.query(PRIMARY_POSITION).execute()
        .compose(rows -> {
          String position = rows.iterator().next().getString(0);
          return replica.withConnection(conn -> caughtUp(conn, position, CATCH_UP_WAIT_MS / CATCH_UP_STEP_MS)
              .compose(v -> query.apply(conn)));
        })
        .onSuccess(v -> onReplica.increment())
        .recover(err -> {
          if (err instanceof ServiceException) {
            return Future.failedFuture(err);  // the read's own answer (a bad cursor): the same on the primary
          }
          log.debug("Read served by the primary: {}", err.toString());
          onPrimary.increment();
          return query.apply(primary);
        });
  }

  /** Succeeds once the replica's connection has replayed up to {@code position}, asking up to {@code steps} more times. */
  private Future<Void> caughtUp(io.vertx.sqlclient.SqlConnection conn, String position, long steps) {
    return conn.preparedQuery(CAUGHT_UP).execute(Tuple.of(position)).compose(rows -> {
      if (Boolean.TRUE.equals(rows.iterator().next().getBoolean(0))) {
        return Future.succeededFuture();
      }
      if (steps == 0) {
        return Future.failedFuture(new ReplicaBehind());
      }
      return vertx.timer(CATCH_UP_STEP_MS).compose(t -> caughtUp(conn, position, steps - 1));
    });
  }

  /** Closes the replica's pool (the primary is its domain's to close). */
  public Future<Void> close() {
    return replica == null ? Future.succeededFuture() : replica.close();
  }

  /** The replica has not replayed what the primary had committed when the read began. */
  private static final class ReplicaBehind extends RuntimeException {
    ReplicaBehind() {
      super("replica behind", null, false, false);
    }
  }
}
