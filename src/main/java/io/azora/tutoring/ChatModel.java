package io.azora.tutoring;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible chat-completions provider ({@code tutor.llm.*}), streamed: the request asks for
 * {@code stream: true} and the answer arrives as server-sent events ({@code data: {...}} lines, CRLF or LF,
 * ending with {@code data: [DONE]}), each delta pushed to the {@link Answering} as it comes. The first
 * token must come within {@code timeoutMs} and each next within {@code idleMs}; failures open a circuit
 * breaker, so a provider that is down costs nothing more until it is tried again.
 */
final class ChatModel {

  private static final Logger log = LoggerFactory.getLogger(ChatModel.class);

  /** An event (a line of data) longer than this is no chat-completions delta. */
  static final int MAX_EVENT_CHARS = 64 * 1024;
  /** An answer is cut here, whatever max_tokens the provider honours. */
  static final int MAX_ANSWER_CHARS = 16 * 1024;

  /** How a model's stream ended. */
  enum Ending { COMPLETE, FAILED_BEFORE_ANSWERING, STOPPED_MIDWAY }

  private final Vertx vertx;
  private final TutoringConfig.Llm config;
  private final HttpClient client;
  private final CircuitBreaker breaker;

  ChatModel(Vertx vertx, TutoringConfig.Llm config) {
    this.vertx = vertx;
    this.config = config;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
        .setConnectTimeout((int) Math.min(config.timeoutMs(), 10_000)), new PoolOptions().setHttp1MaxSize(32));
    this.breaker = CircuitBreaker.create("tutor-llm", vertx, new CircuitBreakerOptions()
        .setMaxFailures(3).setResetTimeout(30_000).setTimeout(-1).setNotificationAddress(null));
  }

  boolean enabled() {
    return config.enabled();
  }

  /**
   * Streams the model's answer to {@code messages} into {@code answering} (not ending it): completes with
   * how the stream ended; never fails. Nothing is sent while the circuit breaker refuses.
   */
  Future<Ending> stream(JsonArray messages, Answering answering) {
    Promise<Ending> ending = Promise.promise();
    Promise<Void> firstToken = Promise.promise();
    breaker.<Void>execute(attempt -> {
          send(messages, answering, firstToken, ending);
          firstToken.future().onComplete(attempt);
        })
        .onFailure(err -> ending.tryComplete(Ending.FAILED_BEFORE_ANSWERING));
    return ending.future();
  }

  private void send(JsonArray messages, Answering answering, Promise<Void> firstToken, Promise<Ending> ending) {
    JsonObject body = new JsonObject().put("model", config.model()).put("stream", true).put("messages", messages)
        .put("max_tokens", config.maxTokens());
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(config.baseUrl() + "/chat/completions")
        .putHeader("Content-Type", "application/json").putHeader("Accept", "text/event-stream")
        .setIdleTimeout(config.timeoutMs());
    if (!config.apiKey().isEmpty()) {
      request.putHeader("Authorization", "Bearer " + config.apiKey());
    }
    long firstTimer = vertx.setTimer(config.timeoutMs(), t -> firstToken.tryFail("no answer within " + config.timeoutMs() + " ms"));
    firstToken.future().onComplete(ar -> vertx.cancelTimer(firstTimer))
        .onFailure(err -> {
          log.info("The tutor's model failed before answering ({}); the built-in tutor answers", err.getMessage());
          ending.tryComplete(Ending.FAILED_BEFORE_ANSWERING);
        });
    client.request(request)
        // A provider too slow to start is cut off: what it sends later must not mix with the built-in answer.
        .onSuccess(req -> firstToken.future().onFailure(err -> req.reset()))
        .compose(req -> req.send(body.toBuffer()))
        .onFailure(err -> firstToken.tryFail(err))
        .onSuccess(response -> read(response, answering, firstToken, ending));
  }

  private void read(HttpClientResponse response, Answering answering, Promise<Void> firstToken, Promise<Ending> ending) {
    if (response.statusCode() != 200) {
      firstToken.tryFail("status " + response.statusCode());
      response.request().reset();
      return;
    }
    StringBuilder data = new StringBuilder();
    RecordParser lines = RecordParser.newDelimited("\n", line -> {
      String text = line.toString().stripTrailing();  // CRLF framing: the \r goes too
      if (text.isEmpty()) {
        event(data.toString(), answering, firstToken, ending, response);
        data.setLength(0);
      } else if (text.startsWith("data:") && data.length() < MAX_EVENT_CHARS) {
        data.append(data.length() > 0 ? "\n" : "").append(text.substring(5).strip());
      }
    }).maxRecordSize(MAX_EVENT_CHARS);
    lines.exceptionHandler(err -> {
      response.request().reset();
      stopped(firstToken, ending, "an event over " + MAX_EVENT_CHARS + " characters");
    });
    // After the first token, a provider silent for idleMs is cut off; not while the asker is slow (paused).
    Stall stall = new Stall(() -> {
      response.request().reset();
      stopped(firstToken, ending, "nothing for " + config.idleMs() + " ms");
    });
    firstToken.future().onSuccess(v -> stall.arm());
    answering.flowControl(() -> {
      stall.disarm();
      response.pause();
    }, () -> {
      stall.arm();
      response.resume();
    }, () -> {
      response.request().reset();
      ending.tryComplete(Ending.STOPPED_MIDWAY);
    });
    response.handler(chunk -> {
      if (firstToken.future().succeeded()) {
        stall.arm();
      }
      lines.handle(chunk);
    });
    ending.future().onComplete(ar -> stall.disarm());
    response.exceptionHandler(err -> stopped(firstToken, ending, err.toString()));
    response.endHandler(v -> {
      if (data.length() > 0) {
        event(data.toString(), answering, firstToken, ending, response);
      }
      stopped(firstToken, ending, "the stream ended without [DONE]");
    });
  }

  /** A timer re-armed on every chunk. */
  private final class Stall {
    private final Runnable fired;
    private long timer = -1;

    Stall(Runnable fired) {
      this.fired = fired;
    }

    void arm() {
      disarm();
      timer = vertx.setTimer(config.idleMs(), t -> fired.run());
    }

    void disarm() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }

  private void event(String data, Answering answering, Promise<Void> firstToken, Promise<Ending> ending,
                     HttpClientResponse response) {
    if (data.isEmpty() || ending.future().isComplete()) {
      return;
    }
    if (data.equals("[DONE]")) {
      // Done without a word is no answer: the built-in tutor answers instead.
      if (!firstToken.tryFail("the model answered nothing")) {
        ending.tryComplete(Ending.COMPLETE);
      }
      return;
    }
    try {
      JsonArray choices = new JsonObject(data).getJsonArray("choices", new JsonArray());
      JsonObject delta = choices.isEmpty() ? new JsonObject() : choices.getJsonObject(0).getJsonObject("delta", new JsonObject());
      String content = delta.getString("content");
      if (content != null && !content.isEmpty() && !firstToken.future().failed()) {
        firstToken.tryComplete();
        answering.push(content);
        if (answering.text().length() > MAX_ANSWER_CHARS) {
          response.request().reset();  // long enough: the answer ends here
          ending.tryComplete(Ending.COMPLETE);
        }
      }
    } catch (DecodeException | ClassCastException e) {
      response.request().reset();
      stopped(firstToken, ending, "not a chat-completions event: " + e.getMessage());
    }
  }

  private static void stopped(Promise<Void> firstToken, Promise<Ending> ending, String why) {
    if (firstToken.tryFail(why)) {
      return;  // the failure before answering is reported by the first-token listener
    }
    if (!ending.future().isComplete()) {
      log.info("The tutor's model stopped midway ({})", why);
    }
    ending.tryComplete(Ending.STOPPED_MIDWAY);
  }

  Future<Void> close() {
    return client.close();
  }
}
