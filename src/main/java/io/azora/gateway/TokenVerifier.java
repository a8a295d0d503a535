package io.azora.gateway;

import io.azora.auth.IdentityService;
import io.azora.platform.AzoraConfig;
import io.azora.platform.Caller;
import io.azora.platform.RequestContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Verifies access tokens with vertx-auth-jwt against the keys that may sign them, fetched from auth over
 * the bus (not the public JWKS, which also keeps keys that signed credentials long ago) and reloaded when
 * a token names a key not seen yet (at most every second) and every half minute (a retired key drops
 * out one token lifetime after its retirement): rotation needs no restart. Only the asymmetric public
 * keys are loaded, so {@code alg: none} and HS256 tokens have nothing to verify against and fail.
 */
final class TokenVerifier {

  private static final long RELOAD_MIN_INTERVAL_MS = 1_000;
  private static final long RELOAD_PERIOD_MS = 30_000;
  private static final int CACHE_SIZE = 50_000;

  private final Vertx vertx;
  private final AzoraConfig.Auth config;
  private volatile JWTAuth jwt;
  private volatile Set<String> knownKids = Set.of();
  /** For each retired key, when the last token it may have signed expires (epoch seconds). */
  private volatile Map<String, Long> acceptUntil = Map.of();
  private volatile long loadedAt;
  private Future<Void> loading;
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  /** A token's caller and when the token expires (epoch seconds). */
  private record Verified(Caller caller, long expiresAt) {
  }

  TokenVerifier(Vertx vertx, AzoraConfig.Auth config) {
    this.vertx = vertx;
    this.config = config;
    vertx.eventBus().consumer(IdentityService.KEYS_CHANGED, msg -> {
      loadedAt = 0;
      reload();
    });
    vertx.setPeriodic(RELOAD_PERIOD_MS, id -> {
      if (jwt != null) {
        reload();
      }
    });
  }

  /** The caller of {@code token}, or a failed future when it is not a valid, current access token. */
  Future<Caller> verify(String token) {
    // A token's signature and claims never change: verify once, then only its expiry. (Revocation is the
    // deny-list's job, checked on every request.)
    Verified cached = verified.get(token);
    if (cached != null) {
      if (cached.expiresAt() > System.currentTimeMillis() / 1000) {
        return Future.succeededFuture(cached.caller());
      }
      verified.remove(token);
      return Future.failedFuture("expired token");
    }
    // The key load may be shared with requests on other contexts: resume on this request's own.
    return RequestContext.resumeHere(verifySignature(token)).map(checked -> {
      if (verified.size() >= CACHE_SIZE) {
        verified.clear();
      }
      verified.put(token, checked);
      return checked.caller();
    });
  }

  /** When an access token verified here expires (epoch seconds); 0 if it is not one verified here. */
  long expiresAt(String token) {
    Verified cached = verified.get(token);
    return cached == null ? 0 : cached.expiresAt();
  }

  private Future<Verified> verifySignature(String token) {
    String kid = kidOf(token);
    if (kid == null) {
      return Future.failedFuture("malformed token");
    }
    Future<Void> keys = jwt != null && knownKids.contains(kid) ? Future.succeededFuture()
        : reload().recover(err -> Future.failedFuture(new TimeoutException("signing keys unavailable: " + err.getMessage())));
    return keys.compose(v -> {
      if (!knownKids.contains(kid)) {
        return Future.failedFuture("unknown signing key");
      }
      Long until = acceptUntil.get(kid);
      if (until != null && System.currentTimeMillis() / 1000 > until) {
        return Future.failedFuture("signing key retired longer ago than a token lives");
      }
      return jwt.authenticate(new TokenCredentials(token));
    }).map(user -> {
      JsonObject claims = user.principal();
      List<String> roles = new ArrayList<>();
      claims.getJsonArray("roles", new JsonArray()).forEach(r -> roles.add(String.valueOf(r)));
      // vertx-auth moves exp into the user's attributes.
      long exp = claims.getLong("exp", user.attributes().getLong("exp", 0L));
      return new Verified(new Caller(claims.getString("sub"), claims.getString("sid"), roles), exp);
    });
  }

  /** Loads the JWKS from auth; concurrent callers share one load, and loads are spaced out. */
  synchronized Future<Void> reload() {
    if (loading != null) {
      return loading;
    }
    if (jwt != null && System.currentTimeMillis() - loadedAt < RELOAD_MIN_INTERVAL_MS) {
      return Future.succeededFuture();
    }
    Future<Void> load = IdentityService.createProxy(vertx, new DeliveryOptions().setSendTimeout(3000)).accessTokenKeys()
        .map(jwks -> {
          JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(new JWTOptions()
              .setIssuer(config.issuer()).setAudience(List.of(config.audience())).setLeeway(5));
          Set<String> kids = new HashSet<>();
          jwks.getJsonArray("keys").forEach(k -> {
            JsonObject key = (JsonObject) k;
            options.addJwk(key);
            kids.add(key.getString("kid"));
          });
          Map<String, Long> until = new java.util.HashMap<>();
          jwks.getJsonObject("acceptUntil", new JsonObject()).forEach(e -> until.put(e.getKey(), ((Number) e.getValue()).longValue()));
          jwt = JWTAuth.create(vertx, options);
          knownKids = Set.copyOf(kids);
          acceptUntil = Map.copyOf(until);
          loadedAt = System.currentTimeMillis();
          return (Void) null;
        });
    // Set before the clean-up is attached: a load that fails at once (no auth reachable yet) completes
    // synchronously, and clearing first then storing it kept that failure as "the load" for good.
    loading = load;
    load.onComplete(ar -> {
      synchronized (this) {
        if (loading == load) {
          loading = null;
        }
      }
    });
    return load;
  }

  /** The {@code kid} of an ES256 token's header, or null when the token is anything else. */
  static String kidOf(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || token.indexOf('.', dot + 1) < 0) {
      return null;
    }
    try {
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)),
          StandardCharsets.UTF_8));
      // Only what auth signs with; everything else (none, HS256, RS256...) is refused before any key lookup.
      return "ES256".equals(header.getString("alg")) ? header.getString("kid") : null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
