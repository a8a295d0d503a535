package io.azora.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * TOTP secrets encrypted at rest with AES-256-GCM (the JDK's implementation). Each ciphertext is stored
 * with the id of its key, so keys rotate: the first configured key ({@code auth.totpKeys}, e.g. from a
 * Kubernetes Secret) encrypts, every known key decrypts, and {@link AuthVerticle} re-encrypts what an
 * older key sealed. The user id is the associated data: a ciphertext copied to another row fails to open.
 * With no key configured, one kept in the auth database is used (and said so at start).
 */
final class SecretBox {

  private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final String LOCAL_KID = "local-1";
  /** Said once a process, not once per auth instance. */
  private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

  /** A secret as stored: the key id and base64url(iv || ciphertext || tag). */
  record Sealed(String kid, String ciphertext) {
  }

  private final Map<String, SecretKey> keys;
  private final String activeKid;

  private SecretBox(Map<String, SecretKey> keys, String activeKid) {
    this.keys = keys;
    this.activeKid = activeKid;
  }

  /** The configured keys ("kid:base64,..."), plus the database's own key, which alone is used if none is configured. */
  static Future<SecretBox> load(Pool pool, String configured) {
    Map<String, SecretKey> keys = parse(configured);
    byte[] fresh = new byte[32];
    RANDOM.nextBytes(fresh);
    // Every instance may run this at once: the first insert wins, all read the same key.
    return pool.preparedQuery("INSERT INTO secret_keys (kid, key) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .execute(Tuple.of(LOCAL_KID, io.vertx.core.buffer.Buffer.buffer(fresh)))
        .compose(v -> pool.query("SELECT kid, key FROM secret_keys").execute())
        .map(rows -> {
          String active = keys.isEmpty() ? LOCAL_KID : keys.keySet().iterator().next();
          for (Row row : rows) {
            keys.putIfAbsent(row.getString("kid"), new SecretKeySpec(row.getBuffer("key").getBytes(), "AES"));
          }
          if (LOCAL_KID.equals(active) && !WARNED.getAndSet(true)) {
            log.warn("TOTP secrets are encrypted with a key kept in the auth database: set auth.totpKeys in production");
          }
          return new SecretBox(keys, active);
        });
  }

  static Map<String, SecretKey> parse(String configured) {
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    for (String entry : configured.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int colon = entry.indexOf(':');
      byte[] raw;
      try {
        raw = colon <= 0 ? null : Base64.getDecoder().decode(entry.substring(colon + 1).strip());
      } catch (IllegalArgumentException e) {
        raw = null;
      }
      if (raw == null || raw.length != 32) {
        throw new IllegalArgumentException("auth.totpKeys: each entry is kid:base64 of 32 random bytes");
      }
      keys.put(entry.substring(0, colon).strip(), new SecretKeySpec(raw, "AES"));
    }
    return keys;
  }

  String activeKid() {
    return activeKid;
  }

  Sealed seal(UUID userId, String secret) {
    try {
      byte[] iv = new byte[IV_BYTES];
      RANDOM.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(activeKid), new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(userId.toString().getBytes(StandardCharsets.US_ASCII));
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.US_ASCII));
      byte[] out = ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array();
      return new Sealed(activeKid, Base64.getUrlEncoder().withoutPadding().encodeToString(out));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The secret, from what {@link #seal} stored ({@code kid} null: a secret stored before encryption). */
  String open(UUID userId, String kid, String stored) {
    if (stored == null || kid == null) {
      return stored;
    }
    SecretKey key = keys.get(kid);
    if (key == null) {
      throw new IllegalStateException("TOTP secret of user " + userId + " was encrypted with key " + kid
          + ", which auth.totpKeys no longer lists");
    }
    try {
      byte[] raw = Base64.getUrlDecoder().decode(stored);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, IV_BYTES));
      cipher.updateAAD(userId.toString().getBytes(StandardCharsets.US_ASCII));
      return new String(cipher.doFinal(raw, IV_BYTES, raw.length - IV_BYTES), StandardCharsets.US_ASCII);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("TOTP secret of user " + userId + " does not decrypt", e);
    }
  }

  /**
   * Re-encrypts, with the active key, the secrets sealed by another key or stored in plain text (before
   * encryption existed, or before a rotation); a batch at a time, each row only if it is unchanged. A
   * secret no listed key opens (its key was dropped too early) is left as it is and logged: one bad row
   * must not keep auth from starting. Only keys this node knows are used: during a rolling deploy that
   * adds a key, add it second everywhere first, then make it first.
   */
  Future<Integer> resealOld(Pool pool) {
    return resealAfter(pool, new UUID(0, 0));
  }

  private Future<Integer> resealAfter(Pool pool, UUID after) {
    return pool.preparedQuery("""
            SELECT id, mfa_secret, mfa_key_id FROM users
            WHERE mfa_secret IS NOT NULL AND mfa_key_id IS DISTINCT FROM $1 AND id > $2 ORDER BY id LIMIT 500""")
        .execute(Tuple.of(activeKid, after))
        .compose(rows -> {
          java.util.List<Tuple> updates = new java.util.ArrayList<>();
          UUID last = after;
          for (Row row : rows) {
            UUID id = row.getUUID("id");
            last = id;
            try {
              Sealed sealed = seal(id, open(id, row.getString("mfa_key_id"), row.getString("mfa_secret")));
              updates.add(Tuple.of(id, sealed.ciphertext(), sealed.kid(), row.getString("mfa_secret")));
            } catch (IllegalStateException unreadable) {
              log.error("TOTP secret left as it is: {}", unreadable.getMessage());
            }
          }
          UUID next = last;
          Future<?> written = updates.isEmpty() ? Future.succeededFuture()
              : pool.preparedQuery("UPDATE users SET mfa_secret = $2, mfa_key_id = $3 WHERE id = $1 AND mfa_secret = $4")
                  .executeBatch(updates);
          return written.compose(v -> rows.size() == 500 ? resealAfter(pool, next).map(n -> n + updates.size())
              : Future.succeededFuture(updates.size()));
        });
  }
}
