package io.azora.platform;

import io.azora.support.NodeExtension;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node skips Flyway for a database last migrated with the very same files (it took most of a restarted
 * node's time to ready) and runs it as soon as any file differs.
 */
class MigrationsTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.defaults();

  static final String LOCATIONS = "db/nexus,db/testmigrations";

  /** Opens the database as a node starting anew would (a Vert.x instance of its own), then closes it. */
  static void start(AzoraConfig config, String database) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Databases.open(vertx, config.database(), database, "db/testmigrations").await(30, TimeUnit.SECONDS)
          .close().await(5, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  static long greetings(Pool db) throws Exception {
    return db.query("SELECT count(*) FROM pg_tables WHERE tablename = 'greetings'").execute()
        .await(5, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  @Test
  void flywayRunsOnlyWhenTheFilesChanged() throws Exception {
    AzoraConfig config = AzoraConfig.from(node.node().config);
    String database = node.node().prefix + "migrations";
    start(config, database);
    Pool db = Databases.pool(node.node().vertx(), config.database(), database);
    try {
      String fingerprint = MigrationFiles.fingerprint(getClass().getClassLoader(), List.of("db/nexus", "db/testmigrations"));
      assertEquals(fingerprint, db.preparedQuery("SELECT fingerprint FROM azora_migrated WHERE locations = $1")
          .execute(Tuple.of(LOCATIONS)).await(5, TimeUnit.SECONDS).iterator().next().getString(0));
      assertEquals(1, greetings(db));

      // Undone behind Flyway's back: the table and its history row gone. The files are those of the last
      // migration, so the next start does not run Flyway and the table stays gone.
      db.query("DROP TABLE greetings").execute().await(5, TimeUnit.SECONDS);
      db.query("DELETE FROM flyway_schema_history WHERE version = '1'").execute().await(5, TimeUnit.SECONDS);
      start(config, database);
      assertEquals(0, greetings(db), "Flyway skipped: same files");

      // Other files than last time (as after an upgrade): Flyway runs, migrates, and records the files.
      db.preparedQuery("UPDATE azora_migrated SET fingerprint = 'files of an earlier version' WHERE locations = $1")
          .execute(Tuple.of(LOCATIONS)).await(5, TimeUnit.SECONDS);
      start(config, database);
      assertEquals(1, greetings(db), "Flyway ran: the files changed");
      assertEquals(fingerprint, db.preparedQuery("SELECT fingerprint FROM azora_migrated WHERE locations = $1")
          .execute(Tuple.of(LOCATIONS)).await(5, TimeUnit.SECONDS).iterator().next().getString(0));
    } finally {
      db.close().await(5, TimeUnit.SECONDS);
    }
  }
}
