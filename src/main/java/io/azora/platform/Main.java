package io.azora.platform;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar azora.jar [--cluster] [--config FILE]}: reads the configuration, starts embedded
 * PostgreSQL and Redis when none are configured, starts the node, and on SIGTERM shuts it all down in
 * order (stop accepting, finish in-flight requests, undeploy, leave the cluster, stop embedded servers).
 */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    List<String> argv = Arrays.asList(args);
    String configPath = valueOf(argv, "--config", System.getenv().getOrDefault("AZORA_CONFIG", ConfigLoader.DEFAULT_PATH));
    Vertx bootstrap = Vertx.vertx();
    JsonObject config;
    JsonObject descriptor;
    try {
      config = ConfigLoader.load(bootstrap, configPath).await(30, TimeUnit.SECONDS);
      descriptor = Node.descriptor(bootstrap);
    } finally {
      bootstrap.close().await(10, TimeUnit.SECONDS);
    }
    if (argv.contains("--cluster")) {
      config.getJsonObject("node").put("cluster", true);
    }
    log.info("Starting Azora with {}", AzoraConfig.from(config));

    EmbeddedServers embedded = new EmbeddedServers();
    JsonObject resolved = embedded.startMissing(config);
    Node node;
    try {
      node = Node.start(resolved, descriptor).await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.error("Azora failed to start", e);
      embedded.close();
      System.exit(1);
      return;
    }
    AzoraConfig started = AzoraConfig.from(resolved);
    List<String> selected = started.node().verticles();
    if (selected.isEmpty() || selected.contains("gateway")) {
      log.info("Azora is up: API on port {}", started.http().port());
    } else {
      log.info("Azora is up: {} on the event bus (no API on this node)", String.join(", ", selected));
    }

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Shutting down");
      try {
        node.close().await(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("Shutdown was not clean", e);
      } finally {
        embedded.close();
        stopped.countDown();
      }
    }, "azora-shutdown"));
    stopped.await();
  }

  private static String valueOf(List<String> argv, String flag, String fallback) {
    int i = argv.indexOf(flag);
    return i >= 0 && i + 1 < argv.size() ? argv.get(i + 1) : fallback;
  }
}
