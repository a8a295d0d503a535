package io.azora.platform;

import io.vertx.core.json.JsonObject;

/**
 * A @DataObject that crosses the bus as JSON and is nothing but its JSON: state, equality and printing are
 * defined once, here; a subclass adds its constructors and one accessor per field.
 */
public abstract class JsonData {

  protected final JsonObject json;

  protected JsonData(JsonObject json) {
    this.json = json == null ? new JsonObject() : json.copy();
  }

  public JsonObject toJson() {
    return json.copy();
  }

  @Override
  public boolean equals(Object other) {
    return other != null && other.getClass() == getClass() && ((JsonData) other).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + json.encode();
  }
}
