package io.azora.support;

import com.stripe.net.Webhook;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small Stripe API for tests: POST /v1/payment_intents answers the JSON Stripe answers (and honours
 * Idempotency-Key like Stripe does); it can fail or hang on demand. Webhook events are built in
 * Stripe's shape and signed with stripe-java's own signing helper.
 */
public final class FakeStripe implements AutoCloseable {

  public static final String API_KEY = "sk_test_azora_fake";
  public static final String WEBHOOK_SECRET = "whsec_azora_test_secret";

  public final int port;
  private final Vertx vertx;
  private final HttpServer server;
  /** Form parameters of every create call received, in order. */
  public final List<Map<String, String>> created = new CopyOnWriteArrayList<>();
  public final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();
  public final AtomicInteger requests = new AtomicInteger();
  private final Map<String, JsonObject> byIdempotencyKey = new ConcurrentHashMap<>();
  private volatile int failWithStatus;
  private volatile boolean hang;

  private FakeStripe(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
    this.port = server.actualPort();
  }

  public static FakeStripe start() {
    Vertx vertx = Vertx.vertx();
    FakeStripe[] self = new FakeStripe[1];
    try {
      HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
        self[0].requests.incrementAndGet();
        if (self[0].hang) {
          return;  // never answers
        }
        if (self[0].failWithStatus > 0) {
          req.response().setStatusCode(self[0].failWithStatus).putHeader("Content-Type", "application/json")
              .end(error("api_error", "Something went wrong on Stripe's end.").encode());
          return;
        }
        if (!("Bearer " + API_KEY).equals(req.getHeader("Authorization"))) {
          req.response().setStatusCode(401).putHeader("Content-Type", "application/json")
              .end(error("invalid_request_error", "Invalid API Key provided").encode());
          return;
        }
        if (req.method().name().equals("POST") && req.path().equals("/v1/payment_intents")) {
          self[0].create(req.getHeader("Idempotency-Key"), form(body.toString()), req.response());
        } else {
          req.response().setStatusCode(404).putHeader("Content-Type", "application/json")
              .end(error("invalid_request_error", "Unrecognized request URL").encode());
        }
      })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      self[0] = new FakeStripe(vertx, server);
      return self[0];
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The finance.stripe configuration that points Azora here. */
  public JsonObject config() {
    return new JsonObject().put("apiKey", API_KEY).put("apiBase", "http://127.0.0.1:" + port)
        .put("webhookSecret", WEBHOOK_SECRET).put("timeoutMs", 1000).put("maxRetries", 2);
  }

  public void failWith(int status) {
    this.failWithStatus = status;
  }

  public void hang(boolean hang) {
    this.hang = hang;
  }

  private void create(String idempotencyKey, Map<String, String> form, io.vertx.core.http.HttpServerResponse response) {
    idempotencyKeys.add(String.valueOf(idempotencyKey));
    JsonObject intent = idempotencyKey == null ? null : byIdempotencyKey.get(idempotencyKey);
    if (intent == null) {
      created.add(form);
      String id = "pi_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
      JsonObject metadata = new JsonObject();
      form.forEach((k, v) -> {
        if (k.startsWith("metadata[")) {
          metadata.put(k.substring(9, k.length() - 1), v);
        }
      });
      intent = new JsonObject().put("id", id).put("object", "payment_intent")
          .put("amount", Long.parseLong(form.get("amount"))).put("amount_capturable", 0).put("amount_received", 0)
          .put("automatic_payment_methods", new JsonObject().put("enabled", true)).put("capture_method", "automatic")
          .put("client_secret", id + "_secret_" + UUID.randomUUID().toString().replace("-", ""))
          .put("confirmation_method", "automatic").put("created", Instant.now().getEpochSecond())
          .put("currency", form.get("currency")).put("description", form.get("description")).put("livemode", false)
          .put("metadata", metadata).put("payment_method_types", new JsonArray().add("card"))
          .put("status", "requires_payment_method");
      if (idempotencyKey != null) {
        byIdempotencyKey.put(idempotencyKey, intent);
      }
    }
    response.putHeader("Content-Type", "application/json").putHeader("Request-Id", "req_" + UUID.randomUUID())
        .end(intent.encode());
  }

  /** The PaymentIntent object as a webhook carries it, after the customer paid. */
  public static JsonObject paidIntent(String id, long amount, String currency, JsonObject metadata) {
    return new JsonObject().put("id", id).put("object", "payment_intent").put("amount", amount)
        .put("amount_received", amount).put("currency", currency).put("status", "succeeded").put("metadata", metadata)
        .put("livemode", false);
  }

  /** A Stripe event envelope around {@code object}. */
  public static JsonObject event(String type, JsonObject object) {
    return new JsonObject().put("id", "evt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24))
        .put("object", "event").put("api_version", "2025-08-27.basil").put("created", Instant.now().getEpochSecond())
        .put("data", new JsonObject().put("object", object)).put("livemode", false).put("pending_webhooks", 1)
        .put("request", new JsonObject().putNull("id").putNull("idempotency_key")).put("type", type);
  }

  /** The Stripe-Signature header for {@code payload}, made by stripe-java itself. */
  public static String sign(String payload, String secret, long timestamp) {
    try {
      return Webhook.Signature.generateSignatureHeader(payload, secret, timestamp);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sign(String payload) {
    return sign(payload, WEBHOOK_SECRET, Instant.now().getEpochSecond());
  }

  private static Map<String, String> form(String body) {
    Map<String, String> form = new java.util.LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return form;
  }

  private static JsonObject error(String type, String message) {
    return new JsonObject().put("error", new JsonObject().put("type", type).put("message", message));
  }

  @Override
  public void close() {
    vertx.close();
  }
}
