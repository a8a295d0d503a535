package io.azora.education;

import io.azora.platform.Problems;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Opaque keyset cursors: a position's parts, base64url-encoded; a cursor is only ever one this server gave. */
final class Cursors {

  private Cursors() {
  }

  /** Base64url of a keyset position. */
  static String encode(String... parts) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(String.join("|", parts).getBytes(StandardCharsets.UTF_8));
  }

  static String[] decode(String cursor, int parts) {
    try {
      String[] p = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", -1);
      if (p.length != parts) {
        throw new IllegalArgumentException();
      }
      return p;
    } catch (IllegalArgumentException e) {
      throw Problems.invalid("cursor", "is not a cursor this server gave");
    }
  }
}
