package io.azora.support;

import io.azora.auth.IdentityService;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Base64;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Auth's identity service as a fake for the fast tier: the users a test makes up, and unsigned credentials. */
public final class FakeIdentity implements IdentityService {

  private final Set<String> users = ConcurrentHashMap.newKeySet();

  /** A new user auth knows. */
  public String user() {
    String id = UUID.randomUUID().toString();
    users.add(id);
    return id;
  }

  @Override
  public Future<JsonObject> profile(String userId) {
    return users.contains(userId)
        ? Future.succeededFuture(new JsonObject().put("id", userId).put("email", userId + "@azora.test")
            .put("name", "Test user").put("roles", new JsonArray().add("student")))
        : Problems.fail(Problems.notFound("No such user"));
  }

  @Override
  public Future<JsonObject> jwks() {
    return Future.succeededFuture(new JsonObject().put("keys", new JsonArray()));
  }

  @Override
  public Future<JsonObject> accessTokenKeys() {
    return jwks();
  }

  @Override
  public Future<String> signCredential(String subject, JsonObject vc) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return Future.succeededFuture(b64.encodeToString("{\"alg\":\"none\"}".getBytes()) + "."
        + b64.encodeToString(new JsonObject().put("sub", subject).put("vc", vc).encode().getBytes()) + ".");
  }
}
