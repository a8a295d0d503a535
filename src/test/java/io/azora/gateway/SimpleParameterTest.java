package io.azora.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Plain parameter schemas checked directly, as the JSON-schema validator would. */
class SimpleParameterTest {

  static SimpleParameter of(JsonObject schema) {
    return SimpleParameter.of(JsonSchema.of(schema));
  }

  @Test
  void integersWithBounds() {
    SimpleParameter limit = of(new JsonObject().put("type", "integer").put("minimum", 1).put("maximum", 100).put("default", 20));
    assertNull(limit.problem("1"));
    assertNull(limit.problem("100"));
    assertNotNull(limit.problem("0"));
    assertNotNull(limit.problem("101"));
    assertNotNull(limit.problem("2.5"));
    assertNotNull(limit.problem("ten"));
    assertNotNull(limit.problem(""));
    // API.md's Numbers rule: query integers are plain digits, whatever they would parse to.
    assertNotNull(limit.problem("1e2"));
    assertNotNull(limit.problem("1e999999999"));
    assertNotNull(limit.problem("1.0"));
    assertNotNull(limit.problem("+5"));
    assertNotNull(limit.problem(" 5"));
    assertNotNull(limit.problem("99999999999999999999999999"));
  }

  @Test
  void stringsWithLengthEnumAndPattern() {
    SimpleParameter q = of(new JsonObject().put("type", "string").put("maxLength", 3));
    assertNull(q.problem("été"), "lengths count characters");
    assertNotNull(q.problem("four"));
    SimpleParameter type = of(new JsonObject().put("type", "string").put("enum", new JsonArray().add("reward").add("fee")));
    assertNull(type.problem("fee"));
    assertNotNull(type.problem("bribe"));
    SimpleParameter code = of(new JsonObject().put("type", "string").put("pattern", "^[0-9]{6}$"));
    assertNull(code.problem("123456"));
    assertNotNull(code.problem("12345a"));
  }

  @Test
  void otherSchemasAreLeftToTheValidator() {
    assertNull(of(new JsonObject().put("$ref", "#/components/schemas/Level")));
    assertNull(of(new JsonObject().put("type", "array")));
    assertNull(of(new JsonObject().put("type", "string").put("format", "email")));
  }
}
