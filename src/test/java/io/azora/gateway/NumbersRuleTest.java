package io.azora.gateway;

import io.azora.support.HttpApi;
import io.azora.support.HttpApi.Response;
import io.azora.support.NodeExtension;
import io.azora.support.OpenApiSamples;
import io.azora.support.OpenApiSamples.NumericField;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API.md's Numbers rule, everywhere: every numeric field of every request body in the served OpenAPI
 * document, and every integer query parameter, gets each hostile form (exponents that expand to a billion
 * digits, too many digits, too many places) and must answer 400 validation_failed naming that field, at
 * once; the server is still healthy afterwards. The fields come from the document, not from a list.
 */
@ExtendWith(VertxExtension.class)
class NumbersRuleTest {

  static final String ADMIN_EMAIL = "numbers-admin@azora.test";
  static final String ADMIN_PASSWORD = "numbers-admin-passphrase";
  /** Raw JSON number tokens that expand past the bounds (18 integer digits, 8 decimal places). */
  static final List<String> HOSTILE_TOKENS = List.of("1e999999999", "1e-999999999", "-1e999999999", "1E+400",
      "123456789012345678901234567890", "0.000000001", "1.0000000000000000000001");
  static final List<String> HOSTILE_QUERY_INTEGERS = List.of("1e2", "1e999999999", "1e-999999999", "2.0", "-1", "+3",
      "0x10", "99999999999999999999999");

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject()
      .put("auth", new JsonObject().put("adminEmail", ADMIN_EMAIL).put("adminPassword", ADMIN_PASSWORD)));

  static String admin;
  static JsonObject document;

  @BeforeAll
  static void signIn() {
    admin = node.api().login(ADMIN_EMAIL, ADMIN_PASSWORD).getString("accessToken");
    document = node.api().get("/api/openapi.json", null).expect(200).json();
  }

  record Operation(HttpMethod method, String path, JsonObject spec) {
  }

  static List<Operation> operations() {
    List<Operation> out = new ArrayList<>();
    document.getJsonObject("paths").forEach(p -> ((JsonObject) p.getValue()).forEach(m -> {
      if (m.getValue() instanceof JsonObject spec && spec.containsKey("operationId")) {
        // Path parameters get a fresh id: the request must be refused before anything looks them up.
        String path = "/api" + p.getKey().replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
        out.add(new Operation(HttpMethod.valueOf(m.getKey().toUpperCase()), path, spec));
      }
    }));
    return out;
  }

  @Test
  void everyNumericBodyFieldRefusesEveryHostileForm(HttpApi api) {
    OpenApiSamples samples = new OpenApiSamples(document);
    int checked = 0;
    for (Operation op : operations()) {
      JsonObject media = op.spec().getJsonObject("requestBody", new JsonObject())
          .getJsonObject("content", new JsonObject()).getJsonObject("application/json");
      if (media == null) {
        continue;
      }
      JsonObject schema = media.getJsonObject("schema");
      for (NumericField field : samples.numericFields(schema)) {
        for (String hostile : HOSTILE_TOKENS) {
          String body = withRawValue(samples.sample(schema), field.path(), hostile);
          assertRefused(api.send(op.method(), op.path(), admin, Buffer.buffer(body), Map.of()), op, field.path(), hostile);
          checked++;
        }
        if (field.acceptsString()) {
          for (String hostile : List.of("\"1e999999999\"", "\"1e-999999999\"", "\"0.000000001\"")) {
            String body = withRawValue(samples.sample(schema), field.path(), hostile);
            assertRefused(api.send(op.method(), op.path(), admin, Buffer.buffer(body), Map.of()), op, field.path(), hostile);
            checked++;
          }
        }
      }
    }
    // The document has amounts, prices, durations, scores, answers, indexes...: a walk that found few is broken.
    assertTrue(checked > 100, "only " + checked + " hostile requests were made");
    api.get("/api/health", null).expect(200);
  }

  @Test
  void everyIntegerQueryParameterIsPlainDigits(HttpApi api) {
    OpenApiSamples samples = new OpenApiSamples(document);
    int checked = 0;
    for (Operation op : operations()) {
      for (Object p : op.spec().getJsonArray("parameters", new JsonArray())) {
        JsonObject parameter = samples.resolve((JsonObject) p);
        JsonObject schema = samples.resolve(parameter.getJsonObject("schema", new JsonObject()));
        if (!"query".equals(parameter.getString("in")) || !"integer".equals(schema.getString("type"))) {
          continue;
        }
        for (String hostile : HOSTILE_QUERY_INTEGERS) {
          String query = "?" + parameter.getString("name") + "=" + java.net.URLEncoder.encode(hostile, java.nio.charset.StandardCharsets.UTF_8);
          Response response = api.send(op.method(), op.path() + query, admin, null, Map.of());
          JsonObject problem = response.expectProblem(400, "validation_failed");
          assertTrue(names(problem).contains(parameter.getString("name")), op.path() + query + ": " + problem.encode());
          checked++;
        }
      }
    }
    assertTrue(checked >= 3 * HOSTILE_QUERY_INTEGERS.size(), "only " + checked + " hostile queries were made");
    api.get("/api/health", null).expect(200);
  }

  static void assertRefused(Response response, Operation op, String field, String hostile) {
    String what = op.method() + " " + op.path() + " with " + field + " = " + hostile;
    assertEquals(400, response.status(), () -> what + ": " + response.body());
    JsonObject problem = response.json();
    assertEquals("validation_failed", problem.getString("code"), what);
    assertTrue(names(problem).contains(field), () -> what + " should name the field: " + problem.encode());
  }

  static List<String> names(JsonObject problem) {
    return problem.getJsonArray("errors", new JsonArray()).stream()
        .map(e -> ((JsonObject) e).getString("field")).toList();
  }

  /** The sample encoded with the value at {@code path} replaced by {@code raw}, a JSON token as written. */
  static String withRawValue(Object sample, String path, String raw) {
    String marker = "\u0000hostile\u0000";
    Object parent = sample;
    String[] steps = path.split("\\.");
    for (int i = 0; i < steps.length - 1; i++) {
      parent = parent instanceof JsonObject o ? o.getValue(steps[i]) : ((JsonArray) parent).getValue(Integer.parseInt(steps[i]));
    }
    String last = steps[steps.length - 1];
    if (parent instanceof JsonObject o) {
      o.put(last, marker);
    } else {
      ((JsonArray) parent).set(Integer.parseInt(last), marker);
    }
    return ((sample instanceof JsonObject o) ? o.encode() : ((JsonArray) sample).encode())
        .replace("\"\\u0000hostile\\u0000\"", raw);
  }
}
