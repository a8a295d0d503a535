package io.azora.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Opaque random tokens (refresh, MFA, OAuth state) and the hashes they are stored as. */
final class Secrets {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789".toCharArray();

  private Secrets() {
  }

  /** 256 random bits, base64url. */
  static String token() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256Base64Url(String value) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(value));
  }

  /** A recovery code like {@code k7dm-q3xa-9vhp-tw2n}: 16 symbols of 31, about 79 bits. */
  static String recoveryCode() {
    StringBuilder sb = new StringBuilder(19);
    for (int i = 0; i < 16; i++) {
      if (i > 0 && i % 4 == 0) {
        sb.append('-');
      }
      sb.append(CODE_ALPHABET[RANDOM.nextInt(CODE_ALPHABET.length)]);
    }
    return sb.toString();
  }

  /** Recovery codes are compared without dashes, spaces or case. */
  static String normalizeRecoveryCode(String code) {
    return code == null ? "" : code.replaceAll("[\\s-]", "").toLowerCase(java.util.Locale.ROOT);
  }
}
