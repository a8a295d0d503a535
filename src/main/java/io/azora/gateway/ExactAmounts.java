package io.azora.gateway;

import java.io.IOException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Money may arrive as a JSON number (API.md). Vert.x reads numbers with decimals as doubles, which
 * cannot hold every 8-decimal amount; this re-reads the named top-level members from the raw body as
 * exact decimals and hands them on as decimal strings.
 */
final class ExactAmounts {

  private static final ObjectMapper EXACT = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  private ExactAmounts() {
  }

  /**
   * The (schema-checked) body with each numeric member of {@code fields} replaced by its exact decimal text.
   * A field may name a member of an array's objects: {@code "milestones[].amount"}.
   */
  static JsonObject body(RoutingContext ctx, String... fields) {
    JsonObject body = Api.body(ctx);
    JsonNode tree = null;
    for (String field : fields) {
      int each = field.indexOf("[].");
      if (each < 0) {
        if (body.getValue(field) instanceof Number) {
          tree = tree != null ? tree : exact(ctx);
          JsonNode value = tree == null ? null : tree.get(field);
          if (value != null && value.isNumber()) {
            body.put(field, decimal(value));
          }
        }
        continue;
      }
      String array = field.substring(0, each);
      String member = field.substring(each + 3);
      if (!(body.getValue(array) instanceof JsonArray items)) {
        continue;
      }
      for (int i = 0; i < items.size(); i++) {
        if (items.getValue(i) instanceof JsonObject item && item.getValue(member) instanceof Number) {
          tree = tree != null ? tree : exact(ctx);
          JsonNode value = tree == null ? null : tree.path(array).path(i).get(member);
          if (value != null && value.isNumber()) {
            item.put(member, decimal(value));
          }
        }
      }
    }
    return body;
  }

  private static String decimal(JsonNode value) {
    return value.decimalValue().stripTrailingZeros().toPlainString();
  }

  private static JsonNode exact(RoutingContext ctx) {
    try {
      return EXACT.readTree(ctx.body().buffer().getBytes());
    } catch (IOException e) {
      return null;  // already parsed once by Vert.x; cannot happen
    }
  }
}
