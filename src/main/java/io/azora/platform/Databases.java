package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.flywaydb.core.Flyway;

import io.vertx.core.Promise;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.List;
import java.util.function.Supplier;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Database per service: each domain opens its own database (created if missing and allowed), runs its
 * own Flyway migrations off the event loop, and gets its own pool.
 */
public final class Databases {

  private static final Logger log = LoggerFactory.getLogger(Databases.class);

  private Databases() {
  }

  /** Creates, migrates and pools the database of {@code domain}; migrations from {@code db/<domain>}. */
  public static Future<Pool> open(Vertx vertx, AzoraConfig.Database config, String domain) {
    return open(vertx, config, config.nameOf(domain), "db/" + domain);
  }

  /**
   * Creates and migrates database {@code name} (its own migrations at {@code location}, plus Nexus' tables).
   * Flyway runs only when the migration files differ from those the database was last migrated with
   * (azora_migrated): loading and running it took most of a restarted node's time to ready.
   */
  public static Future<Pool> open(Vertx vertx, AzoraConfig.Database config, String name, String location) {
    // Nexus' tables first: a domain's migration may write events (a backfill) into its outbox.
    List<String> locations = location == null ? List.of("db/nexus") : List.of("db/nexus", location);
    String key = String.join(",", locations);
    return prepared(vertx, name + " " + key, () -> ensureExists(vertx, config, name)
        .compose(v -> vertx.executeBlocking(() -> MigrationFiles.fingerprint(Databases.class.getClassLoader(), locations), false))
        .compose(fingerprint -> migratedWith(vertx, config, name, key)
            .compose(stored -> fingerprint.equals(stored) ? Future.<Void>succeededFuture() : vertx.executeBlocking(() -> {
              migrate(config, name, locations, key, fingerprint);
              return null;
            }, false))))
        .map(v -> pool(vertx, config, name));
  }

  /** The fingerprint the database was last migrated with from {@code locations}, or null. */
  private static Future<String> migratedWith(Vertx vertx, AzoraConfig.Database config, String name, String locations) {
    return PgConnection.connect(vertx, connectOptions(config, name)).compose(conn -> conn
        .preparedQuery("SELECT fingerprint FROM azora_migrated WHERE locations = $1").execute(Tuple.of(locations))
        .map(rows -> rows.size() == 0 ? (String) null : rows.iterator().next().getString(0))
        // A database migrated before the table existed: Flyway runs and creates it.
        .recover(err -> err instanceof PgException pg && "42P01".equals(pg.getSqlState())
            ? Future.succeededFuture(null) : Future.failedFuture(err))
        .eventually(conn::close));
  }

  /** A database being (or already) created and migrated on this Vert.x instance. */
  private record Preparing(Future<Void> done) implements Shareable {
  }

  /**
   * Per Vert.x instance, each database is created and migrated once, however many verticle instances open
   * it side by side (each ran Flyway twice, one after the other under the migration lock: a second each).
   */
  private static Future<Void> prepared(Vertx vertx, String key, Supplier<Future<Void>> prepare) {
    LocalMap<String, Preparing> databases = vertx.sharedData().getLocalMap("azora.databases.prepared");
    Promise<Void> mine = Promise.promise();
    Preparing candidate = new Preparing(mine.future());
    Preparing earlier = databases.putIfAbsent(key, candidate);
    if (earlier != null && !earlier.done().failed()) {
      return earlier.done();
    }
    if (earlier != null && !databases.replace(key, earlier, candidate)) {
      return prepared(vertx, key, prepare);  // another instance is trying again first
    }
    prepare.get().onComplete(mine);
    return mine.future();
  }

  public static PgConnectOptions connectOptions(AzoraConfig.Database config, String database) {
    PgConnectOptions options = config.url().isBlank()
        ? new PgConnectOptions().setHost(config.host()).setPort(config.port())
            .setUser(config.user()).setPassword(config.password())
        : PgConnectOptions.fromUri(config.url());
    return options.setDatabase(database).setCachePreparedStatements(true).setPipeliningLimit(256);
  }

  public static Pool pool(Vertx vertx, AzoraConfig.Database config, String database) {
    return PgBuilder.pool()
        // Connections are renewed every few minutes so that statement plans cached while a table was
        // small (sequential scans) do not outlive its growth on servers that rarely ANALYZE.
        .with(new PoolOptions().setMaxSize(config.poolSize()).setMaxWaitQueueSize(4096)
            .setMaxLifetime(5).setMaxLifetimeUnit(java.util.concurrent.TimeUnit.MINUTES)
            .setShared(true).setName("pg-" + database)
            .setEventLoopSize(Runtime.getRuntime().availableProcessors()))
        .connectingTo(connectOptions(config, database))
        .using(vertx)
        .build();
  }

  private static Future<Void> ensureExists(Vertx vertx, AzoraConfig.Database config, String name) {
    PgConnectOptions admin = connectOptions(config, "postgres");
    return PgConnection.connect(vertx, admin).compose(conn -> conn
        .preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1").execute(Tuple.of(name))
        .compose(rows -> rows.size() > 0 ? Future.<Void>succeededFuture() : create(conn, name))
        .eventually(conn::close));
  }

  private static Future<Void> create(SqlConnection conn, String name) {
    if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
      return Future.failedFuture(new IllegalArgumentException("Unsafe database name: " + name));
    }
    log.info("Creating database {}", name);
    return conn.query("CREATE DATABASE " + name).execute()
        .<Void>mapEmpty()
        .recover(err -> err instanceof PgException pg
            && ("42P04".equals(pg.getSqlState()) || "23505".equals(pg.getSqlState()))
            ? Future.succeededFuture()  // another instance or node created it first
            : Future.failedFuture(err));
  }

  /**
   * Runs Flyway for each location while holding a PostgreSQL advisory lock, so instances and nodes starting
   * together migrate one after the other (Flyway's own lock does not cover creating its history table),
   * then records the files' fingerprint.
   */
  private static void migrate(AzoraConfig.Database config, String database, List<String> locations, String key,
                              String fingerprint) {
    PgConnectOptions o = connectOptions(config, database);
    String jdbcUrl = "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + database;
    try (Connection lock = DriverManager.getConnection(jdbcUrl, o.getUser(), o.getPassword());
         Statement statement = lock.createStatement()) {
      statement.execute("SELECT pg_advisory_lock(7061727, hashtext('azora_migrations'))");
      try {
        for (String location : locations) {
          Flyway.configure(Databases.class.getClassLoader())
              .dataSource(jdbcUrl, o.getUser(), o.getPassword())
              .locations("classpath:" + location)
              .table("db/nexus".equals(location) ? "nexus_schema_history" : "flyway_schema_history")
              .baselineOnMigrate(true)
              .baselineVersion("0")
              .load()
              .migrate();
        }
        try (var upsert = lock.prepareStatement("""
            INSERT INTO azora_migrated (locations, fingerprint) VALUES (?, ?)
            ON CONFLICT (locations) DO UPDATE SET fingerprint = excluded.fingerprint, migrated_at = now()""")) {
          upsert.setString(1, key);
          upsert.setString(2, fingerprint);
          upsert.executeUpdate();
        }
      } finally {
        statement.execute("SELECT pg_advisory_unlock(7061727, hashtext('azora_migrations'))");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot migrate database " + database, e);
    }
  }
}
