package io.azora.finance;

import io.azora.support.FakeStripe;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stripe down: each call is retried with back-off, then answered 503; once Stripe has failed often enough
 * the circuit opens and callers get 503 at once, without Stripe being asked at all.
 */
class StripeOutageTest {

  static final FakeStripe stripe = FakeStripe.start();

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("finance", new JsonObject()
      .put("stripe", stripe.config())));

  @AfterAll
  static void stopStripe() {
    stripe.close();
  }

  static long timed(Runnable call) {
    long start = System.nanoTime();
    call.run();
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void outagesAnswer503AndThenFailFast(HttpApi api) {
    JsonObject buyer = WalletTest.newUser(api);
    JsonObject body = new JsonObject().put("azrAmount", "10");

    // A Stripe that does not answer: three attempts of 1 s, then 503 — not a hang.
    stripe.hang(true);
    int before = stripe.requests.get();
    long hung = timed(() -> api.post("/api/payments/intents", buyer.getString("token"), body)
        .expectProblem(503, "payments_unavailable"));
    assertTrue(hung < 8_000, "answered in " + hung + " ms");
    assertEquals(3, stripe.requests.get() - before, "the first try and two retries");
    stripe.hang(false);

    // A Stripe answering 500: retried, then 503; after enough failures the breaker opens.
    stripe.failWith(500);
    for (int i = 0; i < 12; i++) {
      api.post("/api/payments/intents", buyer.getString("token"), body).expectProblem(503, "payments_unavailable");
    }
    int asked = stripe.requests.get();
    for (int i = 0; i < 5; i++) {
      long fast = timed(() -> api.post("/api/payments/intents", buyer.getString("token"), body)
          .expectProblem(503, "payments_unavailable"));
      assertTrue(fast < 500, "open circuit answers at once, took " + fast + " ms");
    }
    assertEquals(asked, stripe.requests.get(), "Stripe was not asked while the circuit was open");
  }
}
