package io.azora.tutoring;

import io.azora.platform.Caller;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * What the gateway asks of tutoring on the event bus. Elara's answers stream, so a question is not a call
 * of this interface but a message to {@link #ASK_ADDRESS}: the answer comes back as a chain of replies,
 * each token a reply that the asker acknowledges with a reply of its own (so a slow socket slows Elara,
 * and nothing is registered in the cluster per question): {@code {type: token, text}}... then
 * {@code {type: done, sources, mode}} or {@code {type: error, code, message}}.
 */
@ProxyGen
@VertxGen
public interface TutoringService {

  String ADDRESS = "azora.tutoring";
  /** A question: {@code {caller, id, text, courseId?, lessonId?}}; the answer streams back as replies. */
  String ASK_ADDRESS = "azora.tutoring.ask";

  static TutoringService createProxy(Vertx vertx, DeliveryOptions options) {
    return new TutoringServiceVertxEBProxy(vertx, ADDRESS, options);
  }

  /**
   * The caller's last turns with Elara about {@code courseId} (null: questions about all their courses),
   * newest first: {@code {items: [{question, answer, sources, mode, askedAt}]}}.
   */
  Future<JsonObject> history(Caller caller, String courseId, int limit);
}
