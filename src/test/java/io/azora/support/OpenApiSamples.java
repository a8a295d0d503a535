package io.azora.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads the served OpenAPI document as a client generator would: request bodies that satisfy their
 * schemas, and where each number sits in them. Tests use it to reach every numeric field of the API
 * without listing fields by hand, so a field added later is covered too.
 */
public final class OpenApiSamples {

  /** A JSON body field that takes a number (or a numeric string): its path in the sample and what it accepts. */
  public record NumericField(String path, boolean acceptsString) {
  }

  private final JsonObject document;

  public OpenApiSamples(JsonObject document) {
    this.document = document;
  }

  /** The schema with every {@code $ref} followed (one level at a time, as the walk needs it). */
  public JsonObject resolve(JsonObject schema) {
    JsonObject current = schema;
    while (current != null && current.containsKey("$ref")) {
      String[] parts = current.getString("$ref").substring(2).split("/");
      JsonObject target = document;
      for (String part : parts) {
        target = target.getJsonObject(part);
      }
      current = target;
    }
    return current;
  }

  /** A value valid against {@code schema}: every property present, arrays of their minimum size (at least one). */
  public Object sample(JsonObject raw) {
    JsonObject schema = resolve(raw);
    if (schema.containsKey("enum")) {
      return schema.getJsonArray("enum").getValue(0);
    }
    for (String combinator : List.of("oneOf", "anyOf")) {
      if (schema.containsKey(combinator)) {
        return sample(schema.getJsonArray(combinator).getJsonObject(0));
      }
    }
    Object type = schema.getValue("type");
    String t = type instanceof JsonArray types ? types.getString(0) : (String) type;
    if (t == null) {
      return new JsonObject();
    }
    return switch (t) {
      case "object" -> {
        JsonObject out = new JsonObject();
        JsonObject properties = schema.getJsonObject("properties", new JsonObject());
        properties.forEach(p -> out.put(p.getKey(), sample((JsonObject) p.getValue())));
        yield out;
      }
      case "array" -> {
        JsonArray out = new JsonArray();
        int n = Math.max(1, schema.getInteger("minItems", 1));
        for (int i = 0; i < n; i++) {
          Object item = sample(schema.getJsonObject("items", new JsonObject().put("type", "string")));
          // uniqueItems: the only unique arrays here are enums' values, one is enough.
          out.add(item);
          if (schema.getBoolean("uniqueItems", false)) {
            break;
          }
        }
        yield out;
      }
      case "integer", "number" -> {
        Number min = (Number) schema.getValue("minimum");
        Number exclusive = (Number) schema.getValue("exclusiveMinimum");
        yield min != null ? Integer.valueOf(Math.max(min.intValue(), 1)) : exclusive != null ? exclusive.intValue() + 1 : 1;
      }
      case "boolean" -> Boolean.FALSE;
      default -> stringSample(schema);
    };
  }

  private static String stringSample(JsonObject schema) {
    if ("uuid".equals(schema.getString("format"))) {
      return UUID.randomUUID().toString();
    }
    String pattern = schema.getString("pattern");
    int min = schema.getInteger("minLength", 1);
    for (String candidate : List.of("1", "123456", "a".repeat(Math.max(min, 1)))) {
      if ((pattern == null || Pattern.compile(pattern).matcher(candidate).find()) && candidate.length() >= min) {
        return candidate;
      }
    }
    throw new IllegalStateException("No sample for " + schema.encode());
  }

  /** Every place in {@code sample(schema)} that takes a number, as dotted paths ({@code questions.0.answer}). */
  public List<NumericField> numericFields(JsonObject schema) {
    List<NumericField> out = new ArrayList<>();
    collect(schema, "", out);
    return out;
  }

  private void collect(JsonObject raw, String path, List<NumericField> out) {
    JsonObject schema = resolve(raw);
    if (takesNumber(schema)) {
      out.add(new NumericField(path, numericString(schema)));
      return;
    }
    JsonObject properties = schema.getJsonObject("properties");
    if (properties != null) {
      properties.forEach(p -> collect((JsonObject) p.getValue(), path.isEmpty() ? p.getKey() : path + "." + p.getKey(), out));
    }
    if (schema.containsKey("items")) {
      collect(schema.getJsonObject("items"), path + ".0", out);
    }
  }

  private boolean takesNumber(JsonObject schema) {
    Object type = schema.getValue("type");
    if ("integer".equals(type) || "number".equals(type)
        || type instanceof JsonArray types && (types.contains("integer") || types.contains("number"))) {
      return true;
    }
    for (String combinator : List.of("oneOf", "anyOf")) {
      for (Object branch : schema.getJsonArray(combinator, new JsonArray())) {
        String t = resolve((JsonObject) branch).getString("type");
        if ("integer".equals(t) || "number".equals(t)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A number that may also be sent as a decimal string (an amount). */
  private boolean numericString(JsonObject schema) {
    for (String combinator : List.of("oneOf", "anyOf")) {
      for (Object branch : schema.getJsonArray(combinator, new JsonArray())) {
        JsonObject b = resolve((JsonObject) branch);
        if ("string".equals(b.getString("type")) && b.getString("pattern", "").startsWith("^[0-9]")) {
          return true;
        }
      }
    }
    return false;
  }
}
