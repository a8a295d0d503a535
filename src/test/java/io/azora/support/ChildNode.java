package io.azora.support;

import io.vertx.core.json.JsonObject;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An Azora node in its own JVM (java -cp the test class path, io.azora.platform.Main), configured only
 * through environment variables as an operator would, on the test's databases ({@code prefix + domain})
 * and Redis key prefix. For cluster, shutdown and crash tests.
 */
public final class ChildNode implements AutoCloseable {

  public final Process process;
  public final Path log;
  public final int port;

  private ChildNode(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts a node serving HTTP on {@code port} ({@code 0}: none needed); {@code env} adds or overrides settings. */
  public static ChildNode start(String prefix, int port, Map<String, String> env, String... args) throws IOException {
    JsonObject shared = TestInfra.overrides(prefix);
    JsonObject db = shared.getJsonObject("database");
    Path log = Files.createTempFile("azora-node", ".log");
    String[] command = new String[4 + args.length];
    command[0] = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    command[1] = "-cp";
    command[2] = System.getProperty("java.class.path");
    command[3] = "io.azora.platform.Main";
    System.arraycopy(args, 0, command, 4, args.length);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> e = pb.environment();
    e.put("AZORA_HTTP_PORT", String.valueOf(port == 0 ? TestInfra.freePort() : port));
    e.put("AZORA_MANAGEMENT_PORT", "0");
    e.put("AZORA_DATABASE_HOST", db.getString("host"));
    e.put("AZORA_DATABASE_PORT", String.valueOf(db.getInteger("port")));
    for (String domain : new String[] {"auth", "education", "finance", "marketplace", "tutoring"}) {
      e.put("AZORA_DATABASE_" + domain.toUpperCase(), db.getString(domain));
    }
    e.put("AZORA_REDIS_URL", shared.getJsonObject("redis").getString("url"));
    e.put("AZORA_REDIS_KEY_PREFIX", shared.getJsonObject("redis").getString("keyPrefix"));
    e.put("AZORA_RATE_LIMIT_ANONYMOUS", "1000000");
    e.put("AZORA_RATE_LIMIT_AUTHENTICATED", "1000000");
    e.put("AZORA_RATE_LIMIT_LOGIN_PER_IP", "1000000");
    e.put("AZORA_NODE_CALLER_KEY", TestInfra.CALLER_KEY);
    e.putAll(env);
    return new ChildNode(pb.start(), log, port);
  }

  /** Waits until the node's /api/health satisfies {@code ready}, failing early if the process dies. */
  public void awaitHealth(HttpApi api, Predicate<JsonObject> ready) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("node died: " + log());
      }
      try {
        JsonObject health = api.get("/api/health", null).json();
        if (health != null && ready.test(health)) {
          return;
        }
      } catch (AssertionError notListeningYet) {
        // keep waiting
      }
      Thread.sleep(200);
    }
    throw new AssertionError("node did not become ready: " + log());
  }

  /** Waits until every domain the gateway knows is up. */
  public void awaitHealthy(HttpApi api) throws InterruptedException {
    awaitHealth(api, health -> "healthy".equals(health.getString("status")));
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** kill -9: no shutdown hook, no draining. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then a forced kill if it has not exited after 30 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      kill();
    }
  }
}
