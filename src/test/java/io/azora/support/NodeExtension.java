package io.azora.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.concurrent.TimeUnit;

/**
 * One Azora node for a test class: {@code @RegisterExtension static NodeExtension node = NodeExtension.with(config)}.
 * Started before the class's tests, stopped (and its databases dropped) after; test methods may take an
 * {@link HttpApi} parameter, a client for the node's gateway.
 */
public final class NodeExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

  private final JsonObject config;
  private TestNode node;
  private Vertx clientVertx;
  private HttpApi api;

  private NodeExtension(JsonObject config) {
    this.config = config;
  }

  public static NodeExtension with(JsonObject config) {
    return new NodeExtension(config);
  }

  public static NodeExtension defaults() {
    return new NodeExtension(new JsonObject());
  }

  public TestNode node() {
    return node;
  }

  public HttpApi api() {
    return api;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    node = TestNode.start(config);
    clientVertx = Vertx.vertx();
    api = new HttpApi(clientVertx, node.port);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (clientVertx != null) {
      clientVertx.close().await(10, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == HttpApi.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return api;
  }
}
