package io.azora.auth;

import de.mkammerer.argon2.Argon2;
import de.mkammerer.argon2.Argon2Factory;
import io.vertx.serviceproxy.ServiceException;
import io.azora.platform.Problems;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Password policy and argon2id hashing (OWASP: m = 19 MiB, t = 2, p = 1) with the reference C
 * implementation (argon2-jvm). Hashes are PHC strings. Hashing and checking are CPU-bound: call them on a
 * worker, never on an event loop.
 */
final class Passwords {

  private static final Argon2 ARGON2 = Argon2Factory.create(Argon2Factory.Argon2Types.ARGON2id, 16, 32);
  private static final int MEMORY_KIB = 19 * 1024;
  private static final int ITERATIONS = 2;
  private static final int PARALLELISM = 1;
  private static final Set<String> COMMON = load("/auth/common-passwords.txt");
  /** Checked when the email is unknown, so a wrong email costs the same time as a wrong password. */
  private static final String DUMMY_HASH = hash("not-a-real-password-" + System.nanoTime());

  private final int minLength;
  private final int maxLength;

  Passwords(int minLength, int maxLength) {
    this.minLength = minLength;
    this.maxLength = Math.max(maxLength, 64);
  }

  /** The reason {@code password} is refused, or null when it is acceptable. */
  ServiceException weakness(String password, String email) {
    int length = password.codePointCount(0, password.length());
    if (length < minLength) {
      return Problems.invalid("password", "Password must be at least " + minLength + " characters");
    }
    if (length > maxLength) {
      return Problems.invalid("password", "Password must be at most " + maxLength + " characters");
    }
    String lower = password.toLowerCase(Locale.ROOT);
    if (COMMON.contains(lower)) {
      return Problems.invalid("password", "This password is too common; choose another");
    }
    if (email != null && lower.equals(email.toLowerCase(Locale.ROOT))) {
      return Problems.invalid("password", "Password must not be your email address");
    }
    return null;
  }

  static String hash(String password) {
    return ARGON2.hash(ITERATIONS, MEMORY_KIB, PARALLELISM, password.toCharArray(), StandardCharsets.UTF_8);
  }

  /** True when {@code password} matches {@code storedHash}; a null hash is checked against a dummy. */
  static boolean matches(String password, String storedHash) {
    if (storedHash == null) {
      ARGON2.verify(DUMMY_HASH, password.toCharArray(), StandardCharsets.UTF_8);
      return false;
    }
    return ARGON2.verify(storedHash, password.toCharArray(), StandardCharsets.UTF_8);
  }

  private static Set<String> load(String resource) {
    Set<String> words = new HashSet<>();
    try (var in = Passwords.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Missing resource " + resource);
      }
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        reader.lines().map(String::trim).filter(s -> !s.isEmpty() && !s.startsWith("#"))
            .map(s -> s.toLowerCase(Locale.ROOT)).forEach(words::add);
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + resource, e);
    }
    return words;
  }
}
