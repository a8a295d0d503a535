package io.azora.platform;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Deterministic ids: the same parts always name the same thing, which makes retries idempotent. */
public final class Ids {

  private Ids() {
  }

  /**
   * The canonical form of an id that is a UUID: lower case, as every id this platform makes. Ids enter in
   * this form everywhere they are stored or derived from ({@code 8F1E...} and {@code 8f1e...} must never
   * name two wallets); null when {@code id} is not a UUID.
   */
  public static String canonical(String id) {
    try {
      return id == null ? null : UUID.fromString(id.strip()).toString();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** {@code id} in canonical form if it is a UUID, else as it is (other ids are opaque strings). */
  public static String canonicalIfUuid(String id) {
    String canonical = canonical(id);
    return canonical == null ? id : canonical;
  }

  /** A name-based UUID of {@code parts} (separated so that ("ab","c") and ("a","bc") differ). */
  public static UUID derive(String... parts) {
    return UUID.nameUUIDFromBytes(String.join("\u001f", parts).getBytes(StandardCharsets.UTF_8));
  }
}
