package io.azora.finance;

import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.exception.StripeException;
import com.stripe.model.PaymentIntent;
import com.stripe.net.RequestOptions;
import com.stripe.net.Webhook;
import com.stripe.param.PaymentIntentCreateParams;
import io.azora.platform.Problems;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.RetryPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/**
 * Stripe, through stripe-java's StripeClient (a blocking client, so calls run on worker threads) behind
 * a circuit breaker: each call has a timeout and is retried with exponential back-off and the same Stripe
 * idempotency key; when Stripe keeps failing the breaker opens and callers get 503 at once instead of
 * piling up. Stripe's answers to bad requests are not retried and do not count as outages.
 */
final class StripeGateway {

  private static final Logger log = LoggerFactory.getLogger(StripeGateway.class);
  /** Webhook signatures older than this are refused (replays of captured deliveries). */
  static final long TOLERANCE_SECONDS = 300;

  private final Vertx vertx;
  private final FinanceConfig.Stripe config;
  private final StripeClient client;
  private final CircuitBreaker breaker;

  /** What a guarded call produced: a value, or a final (not retryable) Stripe error. */
  private record Outcome<T>(T value, StripeException refusal) {
  }

  StripeGateway(Vertx vertx, FinanceConfig.Stripe config) {
    this.vertx = vertx;
    this.config = config;
    this.client = config.enabled() ? StripeClient.builder()
        .setApiKey(config.apiKey()).setApiBase(config.apiBase())
        .setConnectTimeout(config.timeoutMs()).setReadTimeout(config.timeoutMs())
        .setMaxNetworkRetries(0)  // the breaker retries, with back-off
        .build() : null;
    this.breaker = CircuitBreaker.create("stripe", vertx, new CircuitBreakerOptions()
            .setTimeout(config.timeoutMs() + 1000L).setMaxRetries(config.maxRetries())
            .setMaxFailures(5).setResetTimeout(30_000).setNotificationAddress(null))
        .retryPolicy(RetryPolicy.exponentialDelayWithJitter(100, 2000));
  }

  boolean enabled() {
    return client != null;
  }

  /** Creates a PaymentIntent; {@code idempotencyKey} makes Stripe answer a retry with the same intent. */
  Future<PaymentIntent> createIntent(long amountCents, String currency, Map<String, String> metadata,
                                     String description, String idempotencyKey) {
    if (!enabled()) {
      return Problems.fail(Problems.of(503, "payments_unavailable", "Card payments are not configured"));
    }
    PaymentIntentCreateParams.Builder params = PaymentIntentCreateParams.builder()
        .setAmount(amountCents).setCurrency(currency).setDescription(description)
        .setAutomaticPaymentMethods(PaymentIntentCreateParams.AutomaticPaymentMethods.builder().setEnabled(true).build());
    metadata.forEach(params::putMetadata);
    RequestOptions options = RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
    return guarded(() -> client.v1().paymentIntents().create(params.build(), options));
  }

  private <T> Future<T> guarded(Callable<T> call) {
    return breaker.<Outcome<T>>execute(() -> vertx.<Outcome<T>>executeBlocking(() -> {
          try {
            return new Outcome<>(call.call(), null);
          } catch (StripeException e) {
            if (retryable(e)) {
              throw e;
            }
            return new Outcome<>(null, e);
          }
        }, false))
        .recover(err -> {
          log.warn("Stripe unavailable: {}", err.toString());
          String detail = err instanceof OpenCircuitException ? "The payment provider is unavailable; try again shortly"
              : err instanceof TimeoutException ? "The payment provider did not answer in time"
              : "The payment provider is unavailable";
          return Problems.fail(Problems.of(503, "payments_unavailable", detail));
        })
        .compose(outcome -> {
          if (outcome.refusal() == null) {
            return Future.succeededFuture(outcome.value());
          }
          StripeException e = outcome.refusal();
          log.error("Stripe refused a request: {} ({})", e.getMessage(), e.getCode());
          return Problems.fail(Problems.of(502, "payment_provider_error", "The payment provider refused the request"));
        });
  }

  /** Network trouble, rate limits and Stripe's own 5xx are worth another try; a 4xx will not change. */
  private static boolean retryable(StripeException e) {
    Integer status = e.getStatusCode();
    return e instanceof ApiConnectionException || e instanceof RateLimitException || status == null || status >= 500;
  }

  /** Checks a webhook's Stripe-Signature over the raw payload (HMAC-SHA256, 300 s tolerance). */
  void verify(String payload, String signature) throws SignatureVerificationException {
    if (config.webhookSecret().isBlank()) {
      throw new SignatureVerificationException("no webhook secret configured", signature);
    }
    Webhook.Signature.verifyHeader(payload, signature, config.webhookSecret(), TOLERANCE_SECONDS);
  }
}
