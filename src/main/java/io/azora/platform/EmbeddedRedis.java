package io.azora.platform;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The zero-config Redis: the redis-server binary that embedded-redis ships, run as a child process whose
 * life this node controls. It appends every write to its log, synced every second (a crash loses at most
 * the last second of rate-limit counters, idempotency records and cache; what money and sessions depend on
 * is in PostgreSQL),
 * stops only when the node has drained (embedded-redis' own shutdown hook would stop it while requests
 * still need it), and a server orphaned by a crashed JVM is stopped before a new one starts on its data.
 */
final class EmbeddedRedis implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);

  private final Process process;
  private final int port;

  private EmbeddedRedis(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static EmbeddedRedis start(Path dir, int port) throws IOException {
    Files.createDirectories(dir);
    Path pidFile = dir.resolve("redis.pid");
    Orphans.stop(pidFile, "redis-server");
    String binary = ExecutableProvider.newJarResourceProvider().get().getAbsolutePath();
    Process process = new ProcessBuilder(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--dir", dir.toString(), "--pidfile", pidFile.toString(), "--appendonly", "yes", "--appendfsync", "everysec",
            "--save", "", "--protected-mode", "yes", "--daemonize", "no"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    awaitListening(process, port);
    return new EmbeddedRedis(process, port);
  }

  int port() {
    return port;
  }

  private static void awaitListening(Process process, int port) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("Embedded Redis exited at start (exit " + process.exitValue() + "); see redis.log in its data directory");
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("Interrupted while Redis started", e);
        }
      }
    }
    process.destroyForcibly();
    throw new IOException("Embedded Redis did not listen on port " + port + " within 20 s");
  }

  /** SIGTERM: Redis flushes its append-only log and exits. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        log.warn("Embedded Redis did not stop in 20 s; killing it");
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
