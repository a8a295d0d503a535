package io.azora.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.core.json.JsonObject;

/** Serves the project's own OpenAPI document, the very one the gateway validates requests with. */
final class OpenApiRoutes {

  private final Buffer yaml;
  private final Buffer json;

  OpenApiRoutes(Buffer yaml, JsonObject document) {
    this.yaml = yaml;
    this.json = document.toBuffer();
  }

  void mount(Router router) {
    router.get("/api/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/yaml; charset=utf-8").end(yaml));
    router.get("/api/openapi.json").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json; charset=utf-8").end(json));
  }
}
