package io.azora.platform;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Who makes a request, as the gateway verified it from an access token, in the one shape every domain's
 * service interface takes: the user, their session and roles, or nobody ({@link #ANONYMOUS}).
 */
@DataObject
public final class Caller {

  public static final Caller ANONYMOUS = new Caller(null, null, List.of());

  private final String userId;
  private final String sessionId;
  private final List<String> roles;

  public Caller(String userId, String sessionId, List<String> roles) {
    this.userId = userId;
    this.sessionId = sessionId;
    this.roles = List.copyOf(roles);
  }

  public Caller(JsonObject json) {
    this(json.getString("userId"), json.getString("sessionId"),
        json.getJsonArray("roles", new JsonArray()).stream().map(String::valueOf).toList());
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("roles", new JsonArray(roles));
    if (userId != null) {
      json.put("userId", userId).put("sessionId", sessionId);
    }
    return json;
  }

  /** The user's id (a UUID), or null when anonymous. */
  public String userId() {
    return userId;
  }

  /** The user's id as a UUID, or null when anonymous. */
  public UUID userUuid() {
    return userId == null ? null : UUID.fromString(userId);
  }

  public String sessionId() {
    return sessionId;
  }

  public List<String> roles() {
    return roles;
  }

  public boolean anonymous() {
    return userId == null;
  }

  public boolean has(String role) {
    return roles.contains(role);
  }

  public boolean isAdmin() {
    return has("admin");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Caller c && Objects.equals(userId, c.userId) && Objects.equals(sessionId, c.sessionId)
        && roles.equals(c.roles);
  }

  @Override
  public int hashCode() {
    return Objects.hash(userId, sessionId, roles);
  }

  @Override
  public String toString() {
    return anonymous() ? "Caller[anonymous]" : "Caller[" + userId + " " + roles + "]";
  }
}
