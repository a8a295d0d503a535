package io.azora.auth;

import io.azora.platform.AzoraConfig;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.sqlclient.Pool;

import java.util.UUID;

/** IdentityService on the bus: users' profiles, the public keys, credential signatures. */
final class IdentityServiceImpl implements IdentityService {

  private final Pool pool;
  private final AuthRepository repo;
  private final SigningKeys keys;
  private final AzoraConfig.Auth config;

  IdentityServiceImpl(Pool pool, AuthRepository repo, SigningKeys keys, AzoraConfig.Auth config) {
    this.pool = pool;
    this.repo = repo;
    this.keys = keys;
    this.config = config;
  }

  @Override
  public Future<JsonObject> profile(String userId) {
    UUID id;
    try {
      id = UUID.fromString(userId);
    } catch (RuntimeException e) {
      return Problems.fail(Problems.notFound("No such user"));
    }
    return repo.byId(pool, id).compose(user -> user == null ? Problems.fail(Problems.notFound("No such user"))
        : Future.succeededFuture(user.toJson()));
  }

  @Override
  public Future<JsonObject> jwks() {
    return keys.jwks();
  }

  @Override
  public Future<JsonObject> accessTokenKeys() {
    return keys.accessTokenKeys();
  }

  @Override
  public Future<String> signCredential(String subject, JsonObject vc) {
    JsonObject claims = new JsonObject().put("vc", vc).put("jti", "urn:uuid:" + UUID.randomUUID())
        .put("nbf", System.currentTimeMillis() / 1000);
    return keys.signCredential(claims, new JWTOptions().setSubject(subject).setIssuer(config.issuer()));
  }
}
