package io.azora.platform;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The read pool against a real streaming replica (two embedded PostgreSQL servers: a primary and a hot
 * standby made from its base backup): while the replica's replay is paused behind a committed write, reads
 * go to the primary and see the write; once it has caught up, they go to the replica.
 */
class ReplicaLagTest {

  static EmbeddedPostgres primary;
  static EmbeddedPostgres replica;
  static Path dataDirs;
  static Vertx vertx;

  @BeforeAll
  static void primaryAndReplica() throws Exception {
    dataDirs = Files.createTempDirectory("azora-replica-test");
    Path primaryData = dataDirs.resolve("primary");
    primary = EmbeddedPostgres.builder().setDataDirectory(primaryData).setCleanDataDirectory(false)
        .setServerConfig("wal_level", "replica").setServerConfig("max_wal_senders", "4")
        .setServerConfig("synchronous_commit", "on")  // as Azora's servers run (zonky's default is off)
        .setServerConfig("hot_standby", "on").setPGStartupWait(Duration.ofSeconds(30)).start();
    try (Connection c = DriverManager.getConnection(jdbc(primary, "postgres"), "postgres", "")) {
      c.createStatement().execute("CREATE DATABASE shop");
    }
    try (Connection c = DriverManager.getConnection(jdbc(primary, "shop"), "postgres", "")) {
      c.createStatement().execute("CREATE TABLE items (id INT PRIMARY KEY)");
    }
    // A base backup by the low-level API: files copied between backup start and stop, then its label.
    Path replicaData = dataDirs.resolve("replica");
    try (Connection c = DriverManager.getConnection(jdbc(primary, "postgres"), "postgres", "");
         Statement s = c.createStatement()) {
      s.execute("SELECT pg_backup_start('replica', true)");
      copy(primaryData, replicaData);
      try (ResultSet stop = s.executeQuery("SELECT labelfile FROM pg_backup_stop(true)")) {
        stop.next();
        Files.writeString(replicaData.resolve("backup_label"), stop.getString(1));
      }
    }
    Files.setPosixFilePermissions(replicaData, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Files.writeString(replicaData.resolve("standby.signal"), "");
    Files.writeString(replicaData.resolve("postgresql.auto.conf"),
        "\nprimary_conninfo = 'host=127.0.0.1 port=" + primary.getPort() + " user=postgres'\n", StandardOpenOption.APPEND);
    Path replicaLog = dataDirs.resolve("replica.log");
    try {
      replica = EmbeddedPostgres.builder().setDataDirectory(replicaData).setCleanDataDirectory(false)
          .setServerConfig("hot_standby", "on").setPGStartupWait(Duration.ofSeconds(30))
          .setOutputRedirector(ProcessBuilder.Redirect.to(replicaLog.toFile()))
          .setErrorRedirector(ProcessBuilder.Redirect.to(replicaLog.toFile())).start();
    } catch (java.io.IOException e) {
      throw new AssertionError("the replica did not start: " + Files.readString(replicaLog), e);
    }
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    for (EmbeddedPostgres pg : new EmbeddedPostgres[] {replica, primary}) {
      if (pg != null) {
        pg.close();
      }
    }
    try (Stream<Path> files = Files.walk(dataDirs)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static String jdbc(EmbeddedPostgres pg, String database) {
    return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + database;
  }

  static void copy(Path from, Path to) throws Exception {
    Set<String> left = Set.of("postmaster.pid", "postmaster.opts");
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!left.contains(p.getFileName().toString())) {
          try {
            Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
          } catch (java.nio.file.NoSuchFileException gone) {
            // a file the server removed while it was copied (a temporary one): the backup does not need it
          }
        }
      }
    }
  }

  static void sql(EmbeddedPostgres pg, String database, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc(pg, database), "postgres", "")) {
      c.createStatement().execute(statement);
    }
  }

  static long count(ReadPool reads) throws Exception {
    return reads.read(db -> db.query("SELECT count(*) FROM items").execute())
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  static double served(String where) {
    return NodeMetrics.of(vertx).find("azora.db.reads").tag("domain", "shop").tag("served", where).counter().count();
  }

  static void awaitReplayed(long items) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      try (Connection c = DriverManager.getConnection(jdbc(replica, "shop"), "postgres", "");
           ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM items")) {
        rs.next();
        if (rs.getLong(1) == items) {
          return;
        }
      } catch (java.sql.SQLException notYet) {
        // the replica may not have replayed the table yet
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("the replica never replayed " + items + " items");
      }
      Thread.sleep(50);
    }
  }

  @Test
  void readsLeaveALaggingReplicaForThePrimary() throws Exception {
    AzoraConfig.Database config = AzoraConfig.from(new JsonObject().put("database", new JsonObject()
        .put("host", "127.0.0.1").put("port", primary.getPort()).put("user", "postgres").put("shop", "shop")
        .put("readUrls", new JsonObject().put("shop", "postgresql://postgres@127.0.0.1:" + replica.getPort() + "/shop"))))
        .database();
    Pool primaryPool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
        .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(primary.getPort()).setUser("postgres")
            .setDatabase("shop")).using(vertx).build();
    ReadPool reads = ReadPool.open(vertx, config, "shop", primaryPool).await(20, TimeUnit.SECONDS);
    try {
      sql(primary, "shop", "INSERT INTO items VALUES (1)");
      awaitReplayed(1);
      assertEquals(1, count(reads));
      assertEquals(1.0, served("replica"), "caught up: the replica answers");

      // The replica stops replaying; a write commits on the primary after that.
      sql(replica, "shop", "SELECT pg_wal_replay_pause()");
      sql(primary, "shop", "INSERT INTO items VALUES (2)");
      assertEquals(2, count(reads), "the committed write is seen");
      assertEquals(1.0, served("primary"), "served by the primary while the replica is behind");
      assertEquals(1.0, served("replica"));

      sql(replica, "shop", "SELECT pg_wal_replay_resume()");
      awaitReplayed(2);
      assertEquals(2, count(reads));
      assertEquals(2.0, served("replica"), "caught up again: the replica answers");
    } finally {
      reads.close().await(5, TimeUnit.SECONDS);
      primaryPool.close().await(5, TimeUnit.SECONDS);
    }
  }
}
