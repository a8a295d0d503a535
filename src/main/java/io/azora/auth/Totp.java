package io.azora.auth;

import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.HashingAlgorithm;
import dev.samstevens.totp.exceptions.CodeGenerationException;
import dev.samstevens.totp.secret.DefaultSecretGenerator;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * RFC 6238 TOTP as authenticator apps expect it: SHA1, 6 digits, 30 s, one step of clock drift either
 * way. {@link #matchingStep} says which time step a code belongs to, so a caller can accept each code
 * once (only steps after the last one used).
 */
final class Totp {

  static final int PERIOD_SECONDS = 30;
  static final int DIGITS = 6;

  private Totp() {
  }

  /** A new 160-bit secret, base32. */
  static String newSecret() {
    return new DefaultSecretGenerator(32).generate();
  }

  static String otpauthUri(String issuer, String account, String secret) {
    String label = enc(issuer) + ":" + enc(account);
    return "otpauth://totp/" + label + "?secret=" + secret + "&issuer=" + enc(issuer)
        + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + PERIOD_SECONDS;
  }

  static long stepAt(long epochSeconds) {
    return Math.floorDiv(epochSeconds, PERIOD_SECONDS);
  }

  /** The time step (now ±1) whose code is {@code code} and which is after {@code lastUsedStep}, else -1. */
  static long matchingStep(String secret, String code, long nowEpochSeconds, long lastUsedStep) {
    if (code == null || !code.matches("\\d{" + DIGITS + "}")) {
      return -1;
    }
    long now = stepAt(nowEpochSeconds);
    for (long step = now - 1; step <= now + 1; step++) {
      if (step > lastUsedStep && constantTimeEquals(codeAt(secret, step), code)) {
        return step;
      }
    }
    return -1;
  }

  static String codeAt(String secret, long step) {
    return codeAt(secret, step, DIGITS);
  }

  /** The HOTP value of {@code step} (RFC 4226 with SHA1), {@code digits} long; secret in base32. */
  static String codeAt(String secret, long step, int digits) {
    try {
      return new DefaultCodeGenerator(HashingAlgorithm.SHA1, digits).generate(secret, step);
    } catch (CodeGenerationException e) {
      throw new IllegalStateException("TOTP generation failed", e);
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
