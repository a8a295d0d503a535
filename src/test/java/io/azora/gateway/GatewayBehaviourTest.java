package io.azora.gateway;

import io.azora.support.HttpApi;
import io.azora.support.HttpApi.Response;
import io.azora.support.NodeExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every client sees of the gateway: bad input answered 4xx, request ids, traces, headers, docs, health. */
@ExtendWith(VertxExtension.class)
class GatewayBehaviourTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.defaults();
  final HttpApi api = node.api();





  Response postRaw(String path, String body) {
    return api.send(HttpMethod.POST, path, null, Buffer.buffer(body), Map.of());
  }

  @Test
  void malformedJsonIs400() {
    postRaw("/api/auth/register", "{\"email\": ").expectProblem(400, "validation_failed");
    postRaw("/api/auth/login", "not json at all").expectProblem(400, "validation_failed");
    postRaw("/api/auth/login", "[1,2,3]").expectProblem(400, "validation_failed");
  }

  @Test
  void wrongTypesNameTheField() {
    JsonObject problem = postRaw("/api/auth/register",
        "{\"email\": 42, \"password\": \"violet-harbor-42\", \"name\": \"A\"}").expectProblem(400, "validation_failed");
    JsonArray errors = problem.getJsonArray("errors");
    assertTrue(errors.stream().map(JsonObject.class::cast).anyMatch(e -> "email".equals(e.getString("field"))),
        errors::encode);
  }

  @Test
  void missingAndUnknownFieldsAre400() {
    postRaw("/api/auth/register", "{\"email\": \"x@y.zz\"}").expectProblem(400, "validation_failed");
    JsonObject problem = postRaw("/api/auth/register", new JsonObject().put("email", "u-" + UUID.randomUUID() + "@azora.test")
        .put("password", "violet-harbor-42").put("name", "U").put("isAdmin", true).encode())
        .expectProblem(400, "validation_failed");
    assertTrue(problem.getJsonArray("errors").stream().map(JsonObject.class::cast)
        .anyMatch(e -> "isAdmin".equals(e.getString("field"))), problem::encode);
  }

  @Test
  void unknownEnumValueIs400() {
    postRaw("/api/auth/register", new JsonObject().put("email", "e-" + UUID.randomUUID() + "@azora.test")
        .put("password", "violet-harbor-42").put("name", "E").put("role", "pirate").encode())
        .expectProblem(400, "validation_failed");
  }

  @Test
  void oversizedBodyIs413() {
    String huge = "{\"email\":\"" + "a".repeat(1024 * 1024 + 10) + "\"}";
    postRaw("/api/auth/login", huge).expectProblem(413, "payload_too_large");
  }

  @Test
  void unknownRouteIs404Problem() {
    api.get("/api/nope", null).expectProblem(404, "not_found");
  }

  @Test
  void requestIdIsEchoedOrCreated() {
    Response own = api.send(HttpMethod.GET, "/api/health", null, null, Map.of("X-Request-Id", "client-id-123"));
    assertEquals("client-id-123", own.header("X-Request-Id"));
    Response invalid = api.send(HttpMethod.GET, "/api/health", null, null, Map.of("X-Request-Id", "bad id with spaces"));
    assertNotEquals("bad id with spaces", invalid.header("X-Request-Id"));
    assertNotNull(UUID.fromString(invalid.header("X-Request-Id")));
    JsonObject problem = api.send(HttpMethod.GET, "/api/nope", null, null, Map.of("X-Request-Id", "trace-me-1"))
        .expectProblem(404, "not_found");
    assertEquals("trace-me-1", problem.getString("requestId"));
  }

  @Test
  void validTraceparentIsContinuedInvalidIgnored() {
    String incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    String out = api.send(HttpMethod.GET, "/api/health", null, null, Map.of("traceparent", incoming)).header("traceparent");
    assertTrue(out.startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"), out);
    assertNotEquals(incoming, out);
    String fresh = api.send(HttpMethod.GET, "/api/health", null, null, Map.of("traceparent", "00-zzzz-bad-01"))
        .header("traceparent");
    assertTrue(fresh.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), fresh);
    assertTrue(!fresh.contains("zzzz"));
  }

  @Test
  void securityHeadersOnEveryResponse() {
    for (Response r : new Response[] {api.get("/api/health", null), api.get("/api/nope", null),
        postRaw("/api/auth/login", "{")}) {
      assertEquals("nosniff", r.header("X-Content-Type-Options"));
      assertEquals("DENY", r.header("X-Frame-Options"));
      assertNotNull(r.header("Content-Security-Policy"));
      assertNotNull(r.header("Strict-Transport-Security"));
      assertNotNull(r.header("Referrer-Policy"));
    }
  }

  @Test
  void corsAllowsOnlyConfiguredOrigins() {
    Response allowed = api.send(HttpMethod.OPTIONS, "/api/auth/login", null, null, Map.of(
        "Origin", "http://localhost:3000", "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "content-type,authorization"));
    assertEquals("http://localhost:3000", allowed.header("Access-Control-Allow-Origin"));
    Response denied = api.send(HttpMethod.GET, "/api/health", null, null, Map.of("Origin", "https://evil.example"));
    assertTrue(denied.header("Access-Control-Allow-Origin") == null || denied.status() == 403);
  }

  @Test
  void rateLimitHeadersAreSent() {
    Response r = api.get("/api/auth/profile", null);
    r.expectProblem(401, "unauthorized");
    Response health = postRaw("/api/auth/refresh", "{\"refreshToken\":\"x\"}");
    assertNotNull(health.header("RateLimit-Limit"));
    assertNotNull(health.header("RateLimit-Remaining"));
    assertNotNull(health.header("RateLimit-Reset"));
  }

  @Test
  void openApiDocumentIsServed() {
    Response yaml = api.get("/api/openapi.yaml", null).expect(200);
    assertTrue(yaml.body().toString().startsWith("openapi: 3.1"));
    JsonObject json = api.get("/api/openapi.json", null).expect(200).json();
    assertTrue(json.getJsonObject("paths").containsKey("/auth/register"));
    assertTrue(json.getJsonObject("paths").containsKey("/auth/mfa/totp/enable"));
  }

  @Test
  void healthReportsServices() {
    JsonObject health = api.get("/api/health", null).expect(200).json();
    assertEquals("healthy", health.getString("status"));
    assertEquals("up", health.getJsonObject("services").getString("auth"));
    assertEquals("up", health.getJsonObject("services").getString("redis"));
    assertNotNull(health.getString("timestamp"));
    api.get("/health/live", null).expect(200);
    JsonObject ready = api.get("/health/ready", null).expect(200).json();
    assertEquals("UP", ready.getJsonObject("checks").getString("db:auth"));
    assertEquals("UP", ready.getJsonObject("checks").getString("deployment"), "every verticle deployed");
  }
}
