package io.azora.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.impl.Utils;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;

import java.util.HashMap;
import java.util.Map;

/**
 * vertx-openapi's pieces that have no public constructor: a request to validate from values already read
 * (the gateway reads the body once, before validation), and its YAML reader. Kept here because Vert.x
 * internals are platform's alone (an upgrade that moves them breaks one class).
 */
public final class OpenApiRequests {

  private OpenApiRequests() {
  }

  /** A JSON request with these path and query parameters and {@code body} (null or empty: none). */
  public static ValidatableRequest of(Map<String, String> path, Map<String, String> query, Buffer body) {
    Map<String, RequestParameter> pathParams = new HashMap<>();
    path.forEach((k, v) -> pathParams.put(k, new RequestParameterImpl(v)));
    Map<String, RequestParameter> queryParams = new HashMap<>();
    query.forEach((k, v) -> queryParams.put(k, new RequestParameterImpl(v)));
    boolean empty = body == null || body.length() == 0;
    return new ValidatableRequestImpl(Map.of(), Map.of(), pathParams, queryParams,
        new RequestParameterImpl(empty ? null : body), empty ? null : "application/json");
  }

  /** An OpenAPI document (YAML or JSON) from the file system or the classpath. */
  public static Future<JsonObject> readDocument(Vertx vertx, String path) {
    return Utils.readYamlOrJson(vertx, path);
  }
}
