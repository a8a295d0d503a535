package io.azora.education;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/** The caller as the gateway verified it: a user id and roles, or nobody. */
record Who(UUID userId, JsonArray roles) {

  static Who of(JsonObject caller) {
    String id = caller == null ? null : caller.getString("userId");
    return new Who(id == null ? null : UUID.fromString(id),
        caller == null ? new JsonArray() : caller.getJsonArray("roles", new JsonArray()));
  }

  boolean anonymous() {
    return userId == null;
  }

  boolean admin() {
    return roles.contains("admin");
  }

  boolean mayTeach() {
    return roles.contains("instructor") || admin();
  }

  /** The course's instructor, or an admin. */
  boolean owns(UUID instructorId) {
    return admin() || (userId != null && userId.equals(instructorId));
  }
}
