package io.azora.finance;

import io.azora.platform.DomainEvent;
import io.azora.support.FakeStripe;
import io.azora.support.HttpApi;
import io.azora.support.HttpApi.Response;
import io.azora.support.NodeExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buying AZR by card against a fake Stripe: intents, signed webhooks, exactly-once credit, refunds. */
@ExtendWith(VertxExtension.class)
class PaymentsTest {

  static final FakeStripe stripe = FakeStripe.start();

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject()
      .put("auth", new JsonObject().put("adminEmail", WalletTest.ADMIN_EMAIL).put("adminPassword", WalletTest.ADMIN_PASSWORD))
      .put("finance", new JsonObject().put("stripe", stripe.config())));

  static final List<JsonObject> completed = new CopyOnWriteArrayList<>();
  static String admin;

  @BeforeAll
  static void listen() {
    node.node().vertx().eventBus().<JsonObject>consumer(DomainEvent.address("payment.completed"), m -> completed.add(m.body()));
    admin = node.api().login(WalletTest.ADMIN_EMAIL, WalletTest.ADMIN_PASSWORD).getString("accessToken");
  }

  @AfterAll
  static void stopStripe() {
    stripe.close();
  }

  static JsonObject intent(HttpApi api, JsonObject user, Object azr, String key) {
    return api.send(HttpMethod.POST, "/api/payments/intents", user.getString("token"),
        new JsonObject().put("azrAmount", azr).toBuffer(), key == null ? Map.of() : Map.of("Idempotency-Key", key))
        .expect(201).json();
  }

  static Response deliver(HttpApi api, JsonObject event) {
    String payload = event.encode();
    return deliver(api, payload, FakeStripe.sign(payload));
  }

  static Response deliver(HttpApi api, String payload, String signature) {
    return api.send(HttpMethod.POST, "/api/payments/webhook", null, Buffer.buffer(payload),
        signature == null ? Map.of() : Map.of("Stripe-Signature", signature));
  }

  static JsonObject succeeded(JsonObject intent, String userId) {
    return FakeStripe.event("payment_intent.succeeded", FakeStripe.paidIntent(intent.getString("paymentIntentId"),
        intent.getLong("amountCents"), "usd", new JsonObject().put("azoraUserId", userId)));
  }

  static JsonObject awaitCompleted(String intentId) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      for (JsonObject e : completed) {
        if (intentId.equals(e.getJsonObject("data").getString("paymentIntentId"))) {
          return e;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no payment.completed for " + intentId);
  }

  @Test
  void aSucceededPaymentCreditsTheAzrExactlyOnce(HttpApi api) throws Exception {
    JsonObject buyer = WalletTest.newUser(api);
    JsonObject intent = intent(api, buyer, "100", null);
    assertTrue(intent.getString("paymentIntentId").startsWith("pi_"));
    assertTrue(intent.getString("clientSecret").startsWith(intent.getString("paymentIntentId") + "_secret_"));
    assertEquals(1000, intent.getLong("amountCents"), "100 AZR at 0.10 USD");
    assertEquals("usd", intent.getString("currency"));
    Map<String, String> sent = stripe.created.get(stripe.created.size() - 1);
    assertEquals("1000", sent.get("amount"));
    assertEquals(buyer.getString("id"), sent.get("metadata[azoraUserId]"));
    assertEquals("0", WalletTest.balance(api, buyer).getString("balance"), "nothing before Stripe says paid");

    JsonObject event = succeeded(intent, buyer.getString("id"));
    assertEquals(new JsonObject().put("received", true), deliver(api, event).expect(200).json());
    deliver(api, event).expect(200);                                 // the same event again
    deliver(api, succeeded(intent, buyer.getString("id"))).expect(200);  // another event for the same intent
    assertEquals("100", WalletTest.balance(api, buyer).getString("balance"));
    JsonObject status = api.get("/api/payments/intents/" + intent.getString("paymentIntentId"), buyer.getString("token"))
        .expect(200).json();
    assertEquals("succeeded", status.getString("status"));
    JsonArray history = api.get("/api/transactions?type=purchase", buyer.getString("token")).expect(200).json().getJsonArray("items");
    assertEquals(1, history.size());
    assertEquals("treasury", history.getJsonObject(0).getString("counterparty"));

    JsonObject paid = awaitCompleted(intent.getString("paymentIntentId"));
    assertEquals("100", paid.getJsonObject("data").getString("azrAmount"));
    // Once: counted where events are kept (finance's outbox), not by what arrived first.
    io.vertx.sqlclient.Pool db = node.node().database(node.node().vertx(), "finance");
    long events = db.preparedQuery("SELECT count(*) FROM nexus_outbox WHERE type = 'payment.completed' "
            + "AND envelope->'data'->>'paymentIntentId' = $1").execute(io.vertx.sqlclient.Tuple.of(intent.getString("paymentIntentId")))
        .await(10, java.util.concurrent.TimeUnit.SECONDS).iterator().next().getLong(0);
    db.close();
    assertEquals(1, events, "payment.completed once");
    // Someone else cannot see this intent.
    api.get("/api/payments/intents/" + intent.getString("paymentIntentId"), WalletTest.newUser(api).getString("token"))
        .expectProblem(404, "not_found");
  }

  @Test
  void badSignaturesMoveNothing(HttpApi api) {
    JsonObject buyer = WalletTest.newUser(api);
    JsonObject intent = intent(api, buyer, "50", null);
    String payload = succeeded(intent, buyer.getString("id")).encode();
    long now = Instant.now().getEpochSecond();
    deliver(api, payload, FakeStripe.sign(payload, "whsec_someone_else", now)).expectProblem(400, "invalid_signature");
    deliver(api, payload.replace("\"amount\":500", "\"amount\":5"), FakeStripe.sign(payload))
        .expectProblem(400, "invalid_signature");
    deliver(api, payload, FakeStripe.sign(payload, FakeStripe.WEBHOOK_SECRET, now - 301)).expectProblem(400, "invalid_signature");
    deliver(api, payload, null).expectProblem(400, "invalid_signature");
    deliver(api, "not json", FakeStripe.sign("not json")).expectProblem(400, "invalid_signature");
    assertEquals("0", WalletTest.balance(api, buyer).getString("balance"));
    // The genuine delivery still works afterwards: the refused ones were not recorded as handled.
    deliver(api, payload, FakeStripe.sign(payload)).expect(200);
    assertEquals("50", WalletTest.balance(api, buyer).getString("balance"));
  }

  @Test
  void failuresAndCancellationsMarkTheIntent(HttpApi api) {
    JsonObject buyer = WalletTest.newUser(api);
    JsonObject intent = intent(api, buyer, "20", null);
    String id = intent.getString("paymentIntentId");
    JsonObject object = new JsonObject().put("id", id).put("object", "payment_intent").put("amount", 200).put("currency", "usd");
    deliver(api, FakeStripe.event("payment_intent.payment_failed", object)).expect(200);
    assertEquals("payment_failed", api.get("/api/payments/intents/" + id, buyer.getString("token")).expect(200).json().getString("status"));
    // The customer tries another card and it goes through.
    deliver(api, succeeded(intent, buyer.getString("id"))).expect(200);
    assertEquals("20", WalletTest.balance(api, buyer).getString("balance"));
    // A late cancellation notice does not undo it.
    deliver(api, FakeStripe.event("payment_intent.canceled", object)).expect(200);
    assertEquals("succeeded", api.get("/api/payments/intents/" + id, buyer.getString("token")).expect(200).json().getString("status"));

    JsonObject other = intent(api, buyer, "30", null);
    deliver(api, FakeStripe.event("payment_intent.canceled", object.copy().put("id", other.getString("paymentIntentId")))).expect(200);
    assertEquals("canceled", api.get("/api/payments/intents/" + other.getString("paymentIntentId"), buyer.getString("token"))
        .expect(200).json().getString("status"));
    // Unknown event types are acknowledged and ignored.
    deliver(api, FakeStripe.event("customer.created", new JsonObject().put("id", "cus_1"))).expect(200);
  }

  @Test
  void refundsTakeTheAzrBackAsFarAsTheWalletAllows(HttpApi api) {
    JsonObject buyer = WalletTest.newUser(api);
    JsonObject friend = WalletTest.newUser(api);
    JsonObject intent = intent(api, buyer, "100", null);
    String id = intent.getString("paymentIntentId");
    deliver(api, succeeded(intent, buyer.getString("id"))).expect(200);
    // Half refunded: 50 AZR back.
    JsonObject charge = new JsonObject().put("id", "ch_" + UUID.randomUUID()).put("object", "charge")
        .put("payment_intent", id).put("amount", 1000).put("currency", "usd").put("refunded", false);
    deliver(api, FakeStripe.event("charge.refunded", charge.copy().put("amount_refunded", 500))).expect(200);
    assertEquals("50", WalletTest.balance(api, buyer).getString("balance"));
    // The buyer gives 40 away, then the rest is refunded: 10 taken back, 40 owed.
    WalletTest.transfer(api, buyer, friend.getString("id"), "40", null).expect(201);
    JsonObject full = FakeStripe.event("charge.refunded", charge.copy().put("amount_refunded", 1000).put("refunded", true));
    deliver(api, full).expect(200);
    deliver(api, full).expect(200);
    assertEquals("0", WalletTest.balance(api, buyer).getString("balance"));
    JsonObject status = api.get("/api/payments/intents/" + id, buyer.getString("token")).expect(200).json();
    assertEquals(1000, status.getLong("refundedCents"));
    assertEquals("40", status.getString("owed"));
    JsonObject report = api.get("/api/ledger/verify", admin).expect(200).json();
    assertEquals(Boolean.TRUE, report.getBoolean("ok"), report::encodePrettily);
  }

  @Test
  void intentsAreIdempotentAndValidated(HttpApi api) {
    JsonObject buyer = WalletTest.newUser(api);
    String key = "buy-" + UUID.randomUUID();
    int createdBefore = stripe.created.size();
    JsonObject first = intent(api, buyer, "12.34567891", key);
    assertEquals(124, first.getLong("amountCents"), "1.234567891 USD rounds up to the cent");
    assertEquals(first, intent(api, buyer, "12.34567891", key));
    assertEquals(createdBefore + 1, stripe.created.size(), "one intent made at Stripe");
    String stripeKey = stripe.idempotencyKeys.get(stripe.idempotencyKeys.size() - 1);
    assertTrue(stripeKey.length() >= 32, "Stripe got an idempotency key: " + stripeKey);
    api.post("/api/payments/intents", buyer.getString("token"), new JsonObject().put("azrAmount", "4.9"))
        .expectProblem(400, "validation_failed");  // under Stripe's 0.50 USD minimum
    api.post("/api/payments/intents", buyer.getString("token"), new JsonObject().put("azrAmount", "-5"))
        .expectProblem(400, "validation_failed");
    api.post("/api/payments/intents", buyer.getString("token"), new JsonObject().put("azrAmount", "200000000"))
        .expectProblem(409, "sold_out");
    api.post("/api/payments/intents", null, new JsonObject().put("azrAmount", "10")).expectProblem(401, "unauthorized");
  }

  @Test
  void webhooksThatDoNotMatchTheIntentCreditNothing(HttpApi api) {
    JsonObject buyer = WalletTest.newUser(api);
    JsonObject intent = intent(api, buyer, "100", null);
    String id = intent.getString("paymentIntentId");
    JsonObject metadata = new JsonObject().put("azoraUserId", buyer.getString("id"));
    // Paid less than the intent, or in another currency: acknowledged, not credited.
    deliver(api, FakeStripe.event("payment_intent.succeeded", FakeStripe.paidIntent(id, 999, "usd", metadata))).expect(200);
    deliver(api, FakeStripe.event("payment_intent.succeeded", FakeStripe.paidIntent(id, 1000, "eur", metadata))).expect(200);
    assertEquals("0", WalletTest.balance(api, buyer).getString("balance"));
    assertEquals("created", api.get("/api/payments/intents/" + id, buyer.getString("token")).expect(200).json().getString("status"));
    // An intent Azora never made (no metadata of ours): ignored.
    deliver(api, FakeStripe.event("payment_intent.succeeded", FakeStripe.paidIntent("pi_" + UUID.randomUUID(), 1000, "usd",
        new JsonObject()))).expect(200);
    assertEquals("0", WalletTest.balance(api, buyer).getString("balance"));
    // The real one, delivered by Stripe several times at once: credited once.
    JsonObject event = succeeded(intent, buyer.getString("id"));
    var answers = io.azora.support.AtOnce.run(6, i -> deliver(api, event));
    answers.forEach(r -> r.expect(200));
    assertEquals("100", WalletTest.balance(api, buyer).getString("balance"));
    assertEquals(1, api.get("/api/transactions?type=purchase", buyer.getString("token")).expect(200).json()
        .getJsonArray("items").size());
    JsonObject report = api.get("/api/ledger/verify", admin).expect(200).json();
    assertEquals(Boolean.TRUE, report.getBoolean("ok"), report::encodePrettily);
  }
}
