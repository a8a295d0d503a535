package io.azora.tutoring;

import io.azora.platform.Caller;
import io.azora.platform.CallerAssertion;
import io.azora.platform.Problems;
import io.azora.platform.RequestContext;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Elara's answers on the bus ({@link TutoringService#ASK_ADDRESS}): each token is a reply to the asker's
 * last message, and the asker acknowledges it with a reply of its own before the next is sent, so the
 * stream goes at the pace of the slowest socket and a gone asker stops it (its acknowledgement never comes).
 */
final class AskStream {

  private static final Logger log = LoggerFactory.getLogger(AskStream.class);
  /** How long the asker may take to take a token (a socket that stalls longer ends the answer). */
  static final long ACK_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final Elara elara;
  private final int maxQuestionChars;

  AskStream(Vertx vertx, Elara elara, int maxQuestionChars) {
    this.vertx = vertx;
    this.elara = elara;
    this.maxQuestionChars = maxQuestionChars;
  }

  MessageConsumer<JsonObject> listen() {
    return vertx.eventBus().consumer(TutoringService.ASK_ADDRESS, this::onAsk);
  }

  private void onAsk(Message<JsonObject> msg) {
    RequestContext.fromHeaders(msg.headers());
    // Elara reads the caller's courses and spends the model's budget: only for the caller the gateway verified.
    String refused = CallerAssertion.Rule.CALLER_ONLY.refusal(TutoringService.ASK_ADDRESS, "ask", msg.body(),
        msg.headers());
    if (refused != null) {
      msg.reply(error(Problems.of(403, "caller_unverified", "Refused: " + refused)));
      return;
    }
    Caller caller = new Caller(msg.body().getJsonObject("caller", new JsonObject()));
    Question question;
    try {
      question = Question.from(msg.body().getJsonObject("question", new JsonObject()), maxQuestionChars);
    } catch (ServiceException e) {
      msg.reply(error(e));
      return;
    }
    elara.answer(caller, question)
        .onSuccess(answering -> send(msg, answering, 0))
        .onFailure(err -> {
          if (!(err instanceof ServiceException)) {
            log.warn("Elara could not answer {}", question.id(), err);
          }
          msg.reply(error(err));
        });
  }

  /** Sends the answer's next token as the reply to {@code to}, and the one after as the reply to its acknowledgement. */
  private void send(Message<?> to, Answering answering, int sent) {
    answering.next().onSuccess(token -> {
      if (token == null) {
        to.reply(new JsonObject().put("type", "done").put("sources", answering.sources()).put("mode", answering.mode()));
        return;
      }
      to.<JsonObject>replyAndRequest(new JsonObject().put("type", "token").put("text", token),
              new DeliveryOptions().setSendTimeout(ACK_TIMEOUT_MS))
          .onSuccess(ack -> send(ack, answering, sent + 1))
          .onFailure(err -> {
            log.debug("An answer stopped after {} token(s): {}", sent + 1, err.getMessage());
            answering.cancel();  // the asker is gone: the model stops, the turn is not kept
          });
    });
  }

  static JsonObject error(Throwable err) {
    if (err instanceof ServiceException se) {
      JsonObject debug = se.getDebugInfo() == null ? new JsonObject() : se.getDebugInfo();
      return new JsonObject().put("type", "error").put("status", se.failureCode())
          .put("code", debug.getString("code", "error")).put("message", se.getMessage())
          .put("errors", debug.getJsonArray("errors"));
    }
    return new JsonObject().put("type", "error").put("status", 503).put("code", "unavailable")
        .put("message", "Elara cannot answer now; try again");
  }
}
