package io.azora.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real HTTP client against a test node's gateway, written for readable, synchronous tests. */
public final class HttpApi {

  private final WebClient client;
  private final int port;

  public HttpApi(Vertx vertx, int port) {
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setFollowRedirects(false));
    this.port = port;
  }

  public int port() {
    return port;
  }

  /** A response as the user sees it. */
  public record Response(int status, MultiMap headers, Buffer body) {
    public JsonObject json() {
      return body == null || body.length() == 0 ? null : body.toJsonObject();
    }

    public JsonArray jsonArray() {
      return body.toJsonArray();
    }

    public String header(String name) {
      return headers.get(name);
    }

    /** Asserts the status, printing the body when it differs. */
    public Response expect(int expected) {
      assertEquals(expected, status, () -> "unexpected status; body: " + (body == null ? "" : body.toString()));
      return this;
    }

    /** Asserts an RFC 9457 problem with the given status and stable code. */
    public JsonObject expectProblem(int expected, String code) {
      expect(expected);
      assertTrue(header("Content-Type").startsWith("application/problem+json"), header("Content-Type"));
      JsonObject problem = json();
      assertEquals(expected, problem.getInteger("status"));
      assertEquals(code, problem.getString("code"), problem::encodePrettily);
      assertTrue(problem.containsKey("type") && problem.containsKey("title") && problem.containsKey("detail"));
      assertEquals(header("X-Request-Id"), problem.getString("requestId"));
      return problem;
    }
  }

  public Response get(String path, String token) {
    return send(HttpMethod.GET, path, token, null, Map.of());
  }

  public Response post(String path, String token, JsonObject body) {
    return send(HttpMethod.POST, path, token, body == null ? null : body.toBuffer(), Map.of());
  }

  public Response delete(String path, String token) {
    return send(HttpMethod.DELETE, path, token, null, Map.of());
  }

  public Response send(HttpMethod method, String path, String token, Buffer body, Map<String, String> headers) {
    HttpRequest<Buffer> request = client.request(method, path).timeout(30_000);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    if (body != null) {
      request.putHeader("Content-Type", "application/json");
    }
    headers.forEach(request::putHeader);
    try {
      var resp = (body == null ? request.send() : request.sendBuffer(body)).await(40, TimeUnit.SECONDS);
      return new Response(resp.statusCode(), resp.headers(), resp.body());
    } catch (Exception e) {
      throw new AssertionError("HTTP " + method + " " + path + " failed: " + e, e);
    }
  }

  // Common flows

  public JsonObject register(String email, String password, String name, String role) {
    JsonObject body = new JsonObject().put("email", email).put("password", password).put("name", name);
    if (role != null) {
      body.put("role", role);
    }
    return post("/api/auth/register", null, body).expect(201).json();
  }

  public JsonObject login(String email, String password) {
    return post("/api/auth/login", null, new JsonObject().put("email", email).put("password", password))
        .expect(200).json();
  }
}
