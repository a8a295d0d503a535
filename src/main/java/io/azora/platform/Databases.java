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

  /** Creates and migrates database {@code name} (its own migrations at {@code location}, plus Nexus' tables). */
  public static Future<Pool> open(Vertx vertx, AzoraConfig.Database config, String name, String location) {
    return ensureExists(vertx, config, name)
        .compose(v -> vertx.executeBlocking(() -> {
          // Nexus' tables first: a domain's migration may write events (a backfill) into its outbox.
          migrate(config, name, "db/nexus", "nexus_schema_history");
          if (location != null) {
            migrate(config, name, location, "flyway_schema_history");
          }
          return null;
        }, false))
        .map(v -> pool(vertx, config, name));
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
   * Runs Flyway while holding a PostgreSQL advisory lock, so instances and nodes starting together migrate
   * one after the other (Flyway's own lock does not cover creating its history table).
   */
  private static void migrate(AzoraConfig.Database config, String database, String location, String table) {
    PgConnectOptions o = connectOptions(config, database);
    String jdbcUrl = "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + database;
    try (Connection lock = DriverManager.getConnection(jdbcUrl, o.getUser(), o.getPassword());
         Statement statement = lock.createStatement()) {
      statement.execute("SELECT pg_advisory_lock(7061727, hashtext('azora_migrations'))");
      try {
        Flyway.configure(Databases.class.getClassLoader())
            .dataSource(jdbcUrl, o.getUser(), o.getPassword())
            .locations("classpath:" + location)
            .table(table)
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load()
            .migrate();
      } finally {
        statement.execute("SELECT pg_advisory_unlock(7061727, hashtext('azora_migrations'))");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot migrate database " + database, e);
    }
  }
}
