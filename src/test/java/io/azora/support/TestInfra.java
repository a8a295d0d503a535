package io.azora.support;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL and Redis the tests run against: the ones on 127.0.0.1:5432 and :6379 when they are
 * there (CI), else embedded ones started once per test JVM. Real servers either way, never mocks.
 */
public final class TestInfra {

  private static String pgHost;
  private static int pgPort;
  private static String redisUrl;

  private TestInfra() {
  }

  public static synchronized void ensureStarted() {
    if (pgHost != null) {
      return;
    }
    try {
      if (listening(5432)) {
        pgHost = "127.0.0.1";
        pgPort = 5432;
      } else {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setPort(freePort()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(pg)));
        pgHost = "127.0.0.1";
        pgPort = pg.getPort();
      }
      if (listening(6379)) {
        redisUrl = "redis://127.0.0.1:6379";
      } else {
        int port = freePort();
        RedisServer redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").build();
        redis.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            redis.stop();
          } catch (IOException ignored) {
            // exiting anyway
          }
        }));
        redisUrl = "redis://127.0.0.1:" + port;
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot start test infrastructure", e);
    }
  }

  /** Database and Redis settings for a test node whose databases are named {@code prefix + domain}. */
  /**
   * The cluster's caller key in every test node, in this JVM and in child processes alike, so that the
   * multi-JVM tests run with callers and services signed on one node and checked on another, as in production.
   */
  public static final String CALLER_KEY = "dGVzdC1jbHVzdGVyLWNhbGxlci1rZXktb2YtYXQtbGVhc3QtMzItYnl0ZXM=";

  public static JsonObject overrides(String prefix) {
    ensureStarted();
    JsonObject db = new JsonObject().put("url", "").put("host", pgHost).put("port", pgPort).put("user", "postgres")
        .put("password", "").put("poolSize", 8);
    for (String domain : new String[] {"auth", "education", "finance", "marketplace", "tutoring"}) {
      db.put(domain, prefix + domain);
    }
    return new JsonObject().put("database", db)
        .put("redis", new JsonObject().put("url", redisUrl).put("keyPrefix", prefix + ":"));
  }

  public static String jdbcUrl(String database) {
    ensureStarted();
    return "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + database;
  }

  public static String redisUrl() {
    ensureStarted();
    return redisUrl;
  }

  /** Drops the test's databases (best effort; a database still in use by a dying pool is forced). */
  public static void dropDatabases(String prefix) {
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "");
         Statement s = c.createStatement()) {
      var rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE '" + prefix + "%'");
      java.util.List<String> names = new java.util.ArrayList<>();
      while (rs.next()) {
        names.add(rs.getString(1));
      }
      for (String name : names) {
        s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      }
    } catch (SQLException e) {
      System.err.println("Could not drop test databases " + prefix + ": " + e.getMessage());
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void close(EmbeddedPostgres pg) {
    try {
      pg.close();
    } catch (IOException ignored) {
      // exiting anyway
    }
  }
}
