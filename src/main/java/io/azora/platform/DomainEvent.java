package io.azora.platform;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/** A Nexus event, in the envelope of API.md: {id, type, occurredAt, source, version, requestId, data}. */
public record DomainEvent(String id, String type, String occurredAt, String source, int version,
                          String requestId, JsonObject data) {

  /** A new event of {@code type} (its source and version from the catalogue), in the current request. */
  public static DomainEvent create(EventType type, JsonObject data) {
    return new DomainEvent(UUID.randomUUID().toString(), type.name(), Instant.now().toString(), type.source(),
        type.version(), RequestContext.requestId(), data);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("type", type).put("occurredAt", occurredAt).put("source", source)
        .put("version", version).put("requestId", requestId).put("data", data);
  }

  public static DomainEvent fromJson(JsonObject json) {
    return new DomainEvent(json.getString("id"), json.getString("type"), json.getString("occurredAt"),
        json.getString("source"), json.getInteger("version", 1), json.getString("requestId"),
        json.getJsonObject("data", new JsonObject()));
  }

  /** The event-bus address every event of this type is published on. */
  public static String address(String type) {
    return "nexus." + type;
  }
}
