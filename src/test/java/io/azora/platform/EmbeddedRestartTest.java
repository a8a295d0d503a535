package io.azora.platform;

import io.azora.support.HttpApi;
import io.azora.support.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zero-config default: with no database or Redis configured, the node starts embedded ones, keeps
 * their data in the data directory, and a restart still knows its users.
 */
@ExtendWith(VertxExtension.class)
class EmbeddedRestartTest {

  @Test
  void aRestartKeepsUsers(Vertx vertx, @TempDir Path dataDir) throws Exception {
    String email = "keeper@azora.test";
    String userId;
    try (Running first = Running.start(vertx, dataDir)) {
      userId = first.api.register(email, "violet-harbor-42", "Keeper", null).getJsonObject("user").getString("id");
    }
    assertTrue(Files.isDirectory(dataDir.resolve("postgres")));
    try (Running second = Running.start(vertx, dataDir)) {
      assertEquals(userId, second.api.login(email, "violet-harbor-42").getJsonObject("user").getString("id"));
    }
  }

  /** A node on embedded servers, as {@code java -jar} without configuration runs it. */
  record Running(EmbeddedServers embedded, Node node, HttpApi api) implements AutoCloseable {
    static Running start(Vertx vertx, Path dataDir) throws Exception {
      JsonObject config = ConfigLoader.load(vertx, ConfigLoader.DEFAULT_PATH).await(10, TimeUnit.SECONDS);
      int port = TestInfra.freePort();
      config.mergeIn(new JsonObject()
          .put("node", new JsonObject().put("dataDir", dataDir.toString()).put("verticles", ""))
          .put("http", new JsonObject().put("port", port).put("host", "127.0.0.1"))
          .put("management", new JsonObject().put("port", 0))
          .put("database", new JsonObject().put("url", "").put("host", ""))
          .put("redis", new JsonObject().put("url", "")), true);
      EmbeddedServers embedded = new EmbeddedServers();
      JsonObject resolved = embedded.startMissing(config);
      Node node = Node.start(resolved, Node.descriptor(vertx)).await(120, TimeUnit.SECONDS);
      return new Running(embedded, node, new HttpApi(vertx, port));
    }

    @Override
    public void close() throws Exception {
      node.close().await(60, TimeUnit.SECONDS);
      embedded.close();
    }
  }
}
