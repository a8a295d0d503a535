package io.azora.platform;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Embedded servers left running by a node that was killed (kill -9, OOM): found by the pid file in their
 * data directory, and stopped (SIGTERM, so they flush and exit cleanly) before a new one starts on the
 * same data. A pid that is now some other program is left alone.
 */
final class Orphans {

  private static final Logger log = LoggerFactory.getLogger(Orphans.class);

  private Orphans() {
  }

  static void stop(Path pidFile, String program) {
    Optional<ProcessHandle> orphan = read(pidFile).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.contains(program)).orElse(false));
    if (orphan.isEmpty()) {
      return;
    }
    ProcessHandle process = orphan.get();
    log.warn("Stopping {} (pid {}) left running by a node that did not shut down", program, process.pid());
    process.destroy();
    try {
      process.onExit().get(30, TimeUnit.SECONDS);
    } catch (Exception timeout) {
      process.destroyForcibly();
      process.onExit().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }

  private static Optional<Long> read(Path pidFile) {
    try {
      String first = Files.readAllLines(pidFile, StandardCharsets.US_ASCII).stream().findFirst().orElse("").strip();
      return Optional.of(Long.parseLong(first));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
