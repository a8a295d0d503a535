package io.azora.gateway;

import java.io.IOException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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

  /** The (schema-checked) body with each numeric member of {@code fields} replaced by its exact decimal text. */
  static JsonObject body(RoutingContext ctx, String... fields) {
    JsonObject body = Api.body(ctx);
    boolean numeric = false;
    for (String field : fields) {
      numeric |= body.getValue(field) instanceof Number;
    }
    if (!numeric) {
      return body;
    }
    try {
      JsonNode tree = EXACT.readTree(ctx.body().buffer().getBytes());
      for (String field : fields) {
        JsonNode value = tree.get(field);
        if (value != null && value.isNumber()) {
          body.put(field, value.decimalValue().stripTrailingZeros().toPlainString());
        }
      }
      return body;
    } catch (IOException e) {
      return body;  // already parsed once by Vert.x; cannot happen
    }
  }
}
