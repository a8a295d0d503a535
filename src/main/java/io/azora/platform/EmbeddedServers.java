package io.azora.platform;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The zero-config default: when no PostgreSQL or Redis is configured, start embedded ones on free ports,
 * keep their data under the data directory, and point the configuration at them. Blocking; call it
 * from main before Vert.x starts.
 */
public final class EmbeddedServers implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedServers.class);

  private EmbeddedPostgres postgres;
  private RedisServer redis;

  /** Starts what the configuration leaves unset and returns the configuration pointing at it. */
  public JsonObject startMissing(JsonObject config) throws IOException {
    AzoraConfig typed = AzoraConfig.from(config);
    JsonObject out = config.copy();
    Path dataDir = Path.of(typed.node().dataDir()).toAbsolutePath().normalize();
    if (typed.database().embedded()) {
      Path pgData = dataDir.resolve("postgres");
      Files.createDirectories(pgData);
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(pgData)
          .setCleanDataDirectory(false)
          .setPort(freePort())
          .setPGStartupWait(Duration.ofSeconds(30))
          .setServerConfig("max_connections", "300")
          .start();
      out.getJsonObject("database").put("host", "127.0.0.1").put("port", postgres.getPort())
          .put("user", "postgres").put("password", "");
      log.info("Embedded PostgreSQL on 127.0.0.1:{} with data in {}", postgres.getPort(), pgData);
    }
    if (typed.redis().embedded()) {
      Path redisData = dataDir.resolve("redis");
      Files.createDirectories(redisData);
      int port = freePort();
      redis = RedisServer.newRedisServer()
          .port(port)
          .bind("127.0.0.1")
          .setting("dir " + redisData)
          .setting("appendonly no")
          .setting("save 60 1")
          .build();
      redis.start();
      out.getJsonObject("redis").put("url", "redis://127.0.0.1:" + port);
      log.info("Embedded Redis on 127.0.0.1:{}", port);
    }
    return out;
  }

  @Override
  public void close() {
    try {
      if (redis != null) {
        redis.stop();
      }
    } catch (IOException e) {
      log.warn("Embedded Redis did not stop cleanly", e);
    }
    try {
      if (postgres != null) {
        postgres.close();
      }
    } catch (IOException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly", e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
