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

  /** A field that may arrive as a number or a string (an amount): as its text, or null. */
  protected String text(String field) {
    Object value = json.getValue(field);
    return value == null ? null : String.valueOf(value);
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
