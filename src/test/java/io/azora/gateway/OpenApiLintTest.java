package io.azora.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The served OpenAPI document is one that tools accept: Redocly CLI's recommended rules report no error
 * (client generators, gateways and API consoles read it). Needs Node.js's npx, which fetches the pinned
 * Redocly CLI from the npm registry the first time.
 */
class OpenApiLintTest {

  static final String REDOCLY = "@redocly/cli@2.77.0";

  @Test
  void redoclyRecommendedRulesFindNoError() throws Exception {
    Path document = Path.of("src/main/resources/openapi.yaml").toAbsolutePath();
    Path report = Files.createTempFile("redocly", ".json");
    Path log = Files.createTempFile("redocly", ".log");
    Process lint = new ProcessBuilder(List.of("npx", "--yes", REDOCLY, "lint", document.toString(),
        "--format=json", "--extends=recommended"))
        .directory(new File(System.getProperty("java.io.tmpdir")))
        .redirectOutput(report.toFile()).redirectError(log.toFile()).start();
    assertTrue(lint.waitFor(180, TimeUnit.SECONDS), "redocly answered within 3 minutes");
    String output = Files.readString(report, StandardCharsets.UTF_8);
    int start = output.indexOf('{');
    assertTrue(start >= 0, "redocly's JSON report; its log: " + Files.readString(log));
    JsonObject result = new JsonObject(output.substring(start));
    JsonArray problems = result.getJsonArray("problems", new JsonArray());
    StringBuilder errors = new StringBuilder();
    problems.stream().map(JsonObject.class::cast).filter(p -> "error".equals(p.getString("severity")))
        .forEach(p -> errors.append('\n').append(p.getString("ruleId")).append(": ").append(p.getString("message"))
            .append(" at ").append(p.getJsonArray("location", new JsonArray()).encode()));
    assertEquals(0, result.getJsonObject("totals").getInteger("errors"), "lint errors:" + errors);
    assertEquals(0, lint.exitValue(), "redocly's exit status");
  }
}
