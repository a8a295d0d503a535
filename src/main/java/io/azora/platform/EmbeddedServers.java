package io.azora.platform;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The zero-config default: when no PostgreSQL or Redis is configured, start embedded ones on free ports,
 * keep their data under the data directory, and point the configuration at them. They are as durable as
 * real servers (PostgreSQL with fsync and synchronous commit, Redis with its append-only log), stopped
 * only after the node has drained (Main closes them last), and servers orphaned by a node that was killed
 * are stopped before new ones start on the same data. Blocking; call it from main before Vert.x starts.
 */
public final class EmbeddedServers implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedServers.class);

  private EmbeddedPostgres postgres;
  private EmbeddedRedis redis;
  /** Held while this node runs on the data directory: a second node there would share (and stop) its servers. */
  private java.nio.channels.FileChannel lockFile;

  /** Starts what the configuration leaves unset and returns the configuration pointing at it. */
  public JsonObject startMissing(JsonObject config) throws IOException {
    AzoraConfig typed = AzoraConfig.from(config);
    JsonObject out = config.copy();
    Path dataDir = Path.of(typed.node().dataDir()).toAbsolutePath().normalize();
    if (typed.database().embedded() || typed.redis().embedded()) {
      lock(dataDir);
    }
    if (typed.database().embedded()) {
      Path pgData = dataDir.resolve("postgres");
      Files.createDirectories(pgData);
      Orphans.stop(pgData.resolve("postmaster.pid"), "postgres");
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(pgData)
          .setCleanDataDirectory(false)
          .setPort(freePort())
          .setPGStartupWait(Duration.ofSeconds(30))
          // zonky's defaults are for throwaway test databases (fsync and synchronous commit off, which lose
          // acknowledged commits in a crash): these hold people's money.
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on")
          .setServerConfig("max_connections", "300")
          // Its own shutdown hook would stop PostgreSQL while the node still drains: Main stops it last.
          .setRegisterShutdownHook(false)
          .start();
      out.getJsonObject("database").put("host", "127.0.0.1").put("port", postgres.getPort())
          .put("user", "postgres").put("password", "");
      log.info("Embedded PostgreSQL on 127.0.0.1:{} with data in {}", postgres.getPort(), pgData);
    }
    if (typed.redis().embedded()) {
      Path redisData = dataDir.resolve("redis");
      redis = EmbeddedRedis.start(redisData, freePort());
      out.getJsonObject("redis").put("url", "redis://127.0.0.1:" + redis.port());
      log.info("Embedded Redis on 127.0.0.1:{} with its append-only log in {}", redis.port(), redisData);
    }
    return out;
  }

  /**
   * Takes the data directory for this node: servers found running on it afterwards can only be orphans of a
   * node that died (the lock dies with its process), never a live sibling's.
   */
  private void lock(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    lockFile = java.nio.channels.FileChannel.open(dataDir.resolve("azora.lock"), java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.WRITE);
    java.nio.channels.FileLock taken;
    try {
      taken = lockFile.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
      taken = null;
    }
    if (taken == null) {
      lockFile.close();
      throw new IOException("Another Azora node is running on the data directory " + dataDir
          + ": give each node its own (node.dataDir), or configure a database and Redis");
    }
  }

  @Override
  public void close() {
    if (redis != null) {
      redis.close();
    }
    try {
      if (postgres != null) {
        postgres.close();
      }
    } catch (IOException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly", e);
    }
    try {
      if (lockFile != null) {
        lockFile.close();
      }
    } catch (IOException e) {
      log.warn("Data directory lock not released cleanly", e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
