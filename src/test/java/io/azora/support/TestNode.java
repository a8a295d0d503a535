package io.azora.support;

import io.azora.platform.ConfigLoader;
import io.azora.platform.Node;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A whole Azora node started in the test JVM from conf/azora.yaml plus per-test overrides: its own
 * databases ({@code azt_<random>_auth}...), its own Redis key prefix and a free HTTP port, so test
 * classes never see each other's data.
 */
public final class TestNode implements AutoCloseable {

  public final String prefix;
  public final int port;
  public final JsonObject config;
  private final Node node;
  private final boolean dropOnClose;

  private TestNode(String prefix, int port, JsonObject config, Node node, boolean dropOnClose) {
    this.prefix = prefix;
    this.port = port;
    this.config = config;
    this.node = node;
    this.dropOnClose = dropOnClose;
  }

  public static String newPrefix() {
    return "azt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";
  }

  /** The configuration a test node runs with; {@code extra} is merged over it (deeply). */
  public static JsonObject config(String prefix, int port, JsonObject extra) {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject base = ConfigLoader.load(vertx, ConfigLoader.DEFAULT_PATH).await(20, TimeUnit.SECONDS);
      base.mergeIn(TestInfra.overrides(prefix), true);
      base.mergeIn(new JsonObject()
          .put("http", new JsonObject().put("port", port).put("host", "127.0.0.1"))
          .put("management", new JsonObject().put("port", 0))
          .put("node", new JsonObject().put("cluster", false).put("verticles", "").put("callerKey", TestInfra.CALLER_KEY))
          // What live delivery misses is caught up sooner than in production (2 s): tests wait less for it.
          .put("nexus", new JsonObject().put("catchUpMs", 400))
          // Tests share one client IP; the rate-limit tests set their own low limits.
          .put("rateLimit", new JsonObject().put("anonymous", 100_000).put("authenticated", 100_000)
              .put("loginPerIp", 100_000)), true);
      return base.mergeIn(extra, true);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      vertx.close();
    }
  }

  public static TestNode start(JsonObject extra) {
    String prefix = newPrefix();
    int port = TestInfra.freePort();
    return start(prefix, config(prefix, port, extra), true);
  }

  public static TestNode start(String prefix, JsonObject config, boolean dropOnClose) {
    try {
      Vertx tmp = Vertx.vertx();
      JsonObject descriptor = Node.descriptor(tmp);
      tmp.close();
      Node node = Node.start(config, descriptor).await(120, TimeUnit.SECONDS);
      return new TestNode(prefix, config.getJsonObject("http").getInteger("port"), config, node, dropOnClose);
    } catch (Exception e) {
      throw new IllegalStateException("Test node did not start: " + e, e);
    }
  }

  /** A pool on this node's database of {@code domain}, for checks behind the API (close it after). */
  public io.vertx.sqlclient.Pool database(Vertx vertx, String domain) {
    io.azora.platform.AzoraConfig typed = io.azora.platform.AzoraConfig.from(config);
    return io.azora.platform.Databases.pool(vertx, typed.database(), typed.database().nameOf(domain));
  }

  public Vertx vertx() {
    return node.vertx();
  }

  public Node node() {
    return node;
  }

  @Override
  public void close() {
    try {
      node.close().await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("Test node did not close cleanly: " + e);
    }
    if (dropOnClose) {
      TestInfra.dropDatabases(prefix);
    }
  }
}
