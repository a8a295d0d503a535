package io.azora.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.UUID;

/**
 * The platform's ES256 signing keys, kept in the auth database. A key is generated at first start and
 * rotated after the configured age; retired keys stay in the JWKS until every token they signed has
 * expired. Tokens carry the signing key's {@code kid}.
 */
final class SigningKeys {

  static final String ALG = "ES256";
  private static final String ACTIVE = """
      SELECT kid, private_jwk, created_at FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1""";
  private static final String PUBLISHED = """
      SELECT public_jwk FROM signing_keys
      WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1) OR signed_credentials
      ORDER BY created_at DESC""";
  /** Keys an access token may be signed with: the current one, and those retired less than a token lifetime ago. */
  private static final String ACCESS = """
      SELECT public_jwk, extract(epoch FROM retired_at + make_interval(secs => $1))::bigint AS accept_until
      FROM signing_keys WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1)
      ORDER BY created_at DESC""";
  private static final String KEEP = "UPDATE signing_keys SET signed_credentials = true WHERE kid = $1 AND NOT signed_credentials";
  private static final String INSERT = """
      INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk) VALUES ($1, $2, $3, $4)""";
  private static final String RETIRE_OTHERS = "UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL AND kid <> $1";

  private final Vertx vertx;
  private final Pool pool;
  private final Duration rotateAfter;
  private final int publishRetiredSeconds;
  private final int accessTokenSeconds;
  private volatile Signer signer;

  private record Signer(String kid, JWTAuth jwt, OffsetDateTime createdAt) {
  }

  SigningKeys(Vertx vertx, Pool pool, Duration rotateAfter, int accessTokenSeconds, int publishRetiredSeconds) {
    this.accessTokenSeconds = accessTokenSeconds;
    this.vertx = vertx;
    this.pool = pool;
    this.rotateAfter = rotateAfter;
    this.publishRetiredSeconds = publishRetiredSeconds;
  }

  /** Loads the active key, creating or rotating it when needed. Safe to call from several nodes. */
  Future<Void> refresh() {
    return pool.withTransaction(tx -> tx.query("SELECT pg_advisory_xact_lock(7061727, hashtext('signing_keys'))").execute()
            .compose(v -> tx.query(ACTIVE).execute())
            .compose(rows -> {
              Row row = rows.size() == 0 ? null : rows.iterator().next();
              if (row != null && row.getOffsetDateTime("created_at").plus(rotateAfter).isAfter(OffsetDateTime.now())) {
                return Future.succeededFuture(row.getJsonObject("private_jwk"));
              }
              JsonObject[] pair = generate();
              return tx.preparedQuery(INSERT).execute(Tuple.of(pair[0].getString("kid"), ALG, pair[0], pair[1]))
                  .compose(v -> tx.preparedQuery(RETIRE_OTHERS).execute(Tuple.of(pair[0].getString("kid"))))
                  .map(pair[0]);
            }))
        .map(privateJwk -> {
          signer = new Signer(privateJwk.getString("kid"),
              JWTAuth.create(vertx, new JWTAuthOptions().addJwk(privateJwk)), OffsetDateTime.now());
          return null;
        });
  }

  /** Rotates now, whatever the active key's age (operators' and tests' entry point). */
  Future<String> rotate() {
    return pool.withTransaction(tx -> {
      JsonObject[] pair = generate();
      return tx.preparedQuery(INSERT).execute(Tuple.of(pair[0].getString("kid"), ALG, pair[0], pair[1]))
          .compose(v -> tx.preparedQuery(RETIRE_OTHERS).execute(Tuple.of(pair[0].getString("kid"))));
    }).compose(v -> refresh()).map(v -> signer.kid());
  }

  /** Signs {@code claims} with the active key; the header names its kid. */
  String sign(JsonObject claims, JWTOptions options) {
    Signer current = signer;
    return current.jwt().generateToken(claims, new JWTOptions(options).setAlgorithm(ALG)
        .setHeader(new JsonObject().put("kid", current.kid())));
  }

  /**
   * Signs a credential with the active key after marking the key as one that must stay published:
   * credentials outlive the key's time as the signing key.
   */
  Future<String> signCredential(JsonObject claims, JWTOptions options) {
    Signer current = signer;
    return pool.preparedQuery(KEEP).execute(io.vertx.sqlclient.Tuple.of(current.kid()))
        .map(v -> current.jwt().generateToken(claims, new JWTOptions(options).setAlgorithm(ALG)
            .setHeader(new JsonObject().put("kid", current.kid()).put("typ", "vc+jwt"))));
  }

  /**
   * The public JWKS: the active key and retired keys whose tokens may still be alive. Read fresh each
   * time (a cache here would hide a rotation made by another instance); gateways cache it themselves and
   * the public endpoint is rate limited.
   */
  Future<JsonObject> jwks() {
    return keys(PUBLISHED, publishRetiredSeconds);
  }

  /**
   * The keys gateways accept access tokens from: a key kept published only to verify old credentials
   * (or a retired key that leaked) never signs a valid access token. A token signed just before its key's
   * retirement lives one token lifetime, plus the verifier's leeway.
   */
  Future<JsonObject> accessTokenKeys() {
    return pool.preparedQuery(ACCESS).execute(Tuple.of(accessTokenSeconds + 5)).map(rows -> {
      JsonArray keys = new JsonArray();
      JsonObject acceptUntil = new JsonObject();
      for (Row r : rows) {
        JsonObject jwk = r.getJsonObject("public_jwk");
        keys.add(jwk);
        if (r.getLong("accept_until") != null) {
          acceptUntil.put(jwk.getString("kid"), r.getLong("accept_until"));
        }
      }
      // acceptUntil: for each retired key, when its last token expires (epoch seconds); current keys have none.
      return new JsonObject().put("keys", keys).put("acceptUntil", acceptUntil);
    });
  }

  private Future<JsonObject> keys(String query, int retiredSeconds) {
    return pool.preparedQuery(query).execute(Tuple.of(retiredSeconds))
        .map(rows -> {
          JsonArray keys = new JsonArray();
          rows.forEach(r -> keys.add(r.getJsonObject("public_jwk")));
          return new JsonObject().put("keys", keys);
        });
  }

  /** A fresh P-256 key pair as {private JWK, public JWK}. */
  static JsonObject[] generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      var pair = generator.generateKeyPair();
      ECPublicKey pub = (ECPublicKey) pair.getPublic();
      ECPrivateKey priv = (ECPrivateKey) pair.getPrivate();
      String kid = UUID.randomUUID().toString();
      JsonObject publicJwk = new JsonObject().put("kty", "EC").put("crv", "P-256").put("kid", kid)
          .put("alg", ALG).put("use", "sig")
          .put("x", b64(pub.getW().getAffineX())).put("y", b64(pub.getW().getAffineY()));
      JsonObject privateJwk = publicJwk.copy().put("d", b64(priv.getS()));
      return new JsonObject[] {privateJwk, publicJwk};
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is not available in this JVM", e);
    }
  }

  /** Unsigned, fixed 32-byte big-endian, base64url without padding (RFC 7518 §6.2.1). */
  private static String b64(BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] fixed = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, fixed, 32 - copy, copy);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
  }
}
