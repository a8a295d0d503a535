package io.azora.platform;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Deterministic ids: the same parts always name the same thing, which makes retries idempotent. */
public final class Ids {

  private Ids() {
  }

  /** A name-based UUID of {@code parts} (separated so that ("ab","c") and ("a","bc") differ). */
  public static UUID derive(String... parts) {
    return UUID.nameUUIDFromBytes(String.join("\u001f", parts).getBytes(StandardCharsets.UTF_8));
  }
}
