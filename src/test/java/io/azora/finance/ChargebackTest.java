package io.azora.finance;

import io.azora.education.EducationEvents;
import io.azora.platform.AzoraConfig;
import io.azora.platform.Databases;
import io.azora.platform.DomainEvent;
import io.azora.platform.Nexus;
import io.azora.support.FakeStripe;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.azora.support.StandInEducation;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chargebacks: a card payment disputed with the bank takes the AZR back like a refund, as far as the
 * wallet allows, and the rest is owed; owed AZR still circulates, so it counts against the supply cap;
 * an admin report lists who owes what; a dispute the merchant wins gives everything back.
 */
class ChargebackTest {

  static final FakeStripe stripe = FakeStripe.start();

  // 100 AZR of room for minting above the initial supply.
  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject()
      .put("node", new JsonObject().put("verticles", "auth,finance,gateway"))
      .put("auth", new JsonObject().put("adminEmail", WalletTest.ADMIN_EMAIL).put("adminPassword", WalletTest.ADMIN_PASSWORD))
      .put("finance", new JsonObject().put("stripe", stripe.config()).put("initialSupply", "100000000")
          .put("maxSupply", "100000100")));

  static String admin;
  /** Education's outbox, stood in for: completions to mine against the cap. */
  static StandInEducation education;
  static final List<JsonObject> mined = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    admin = node.api().login(WalletTest.ADMIN_EMAIL, WalletTest.ADMIN_PASSWORD).getString("accessToken");
    education = StandInEducation.start(node.node());
    node.node().vertx().eventBus().<JsonObject>consumer(DomainEvent.address("tokens.mined"), msg -> mined.add(msg.body()));
  }

  @AfterAll
  static void tearDown() throws Exception {
    education.close();
    stripe.close();
  }

  static JsonObject buy(HttpApi api, JsonObject buyer, String azr) {
    JsonObject intent = PaymentsTest.intent(api, buyer, azr, null);
    PaymentsTest.deliver(api, PaymentsTest.succeeded(intent, buyer.getString("id"))).expect(200);
    return intent;
  }

  static JsonObject dispute(String disputeId, JsonObject intent, String status) {
    return FakeStripe.event("charge.dispute." + (status.endsWith("needs_response") ? "created" : "closed"),
        new JsonObject().put("id", disputeId).put("object", "dispute").put("charge", "ch_" + UUID.randomUUID())
            .put("payment_intent", intent.getString("paymentIntentId")).put("amount", intent.getLong("amountCents"))
            .put("currency", "usd").put("status", status).put("reason", "fraudulent"));
  }

  static JsonObject intentStatus(HttpApi api, JsonObject buyer, JsonObject intent) {
    return api.get("/api/payments/intents/" + intent.getString("paymentIntentId"), buyer.getString("token")).expect(200).json();
  }

  static JsonObject owedEntry(HttpApi api, String userId) {
    JsonObject report = api.get("/api/admin/owed-balances?limit=100", admin).expect(200).json();
    return report.getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(i -> userId.equals(i.getString("userId"))).findFirst().orElse(null);
  }

  @Test
  void aChargebackTakesTheAzrBackAndWhatIsGoneIsOwedAndCapped(HttpApi api) throws Exception {
    JsonObject buyer = WalletTest.newUser(api);
    JsonObject friend = WalletTest.newUser(api);
    JsonObject intent = buy(api, buyer, "100");
    WalletTest.transfer(api, buyer, friend.getString("id"), "70", null).expect(201);

    // The bank pulls the whole payment: the 30 AZR left are taken back, 70 are owed.
    java.math.BigDecimal owedBefore = new java.math.BigDecimal(api.get("/api/mining/stats", null).expect(200).json().getString("owed"));
    String disputeId = "dp_" + UUID.randomUUID();
    PaymentsTest.deliver(api, dispute(disputeId, intent, "needs_response")).expect(200);
    assertEquals(0, owedBefore.add(java.math.BigDecimal.valueOf(70)).compareTo(
        new java.math.BigDecimal(api.get("/api/mining/stats", null).expect(200).json().getString("owed"))), "the stats show what is owed");
    assertEquals("0", WalletTest.balance(api, buyer).getString("balance"));
    assertEquals("70", intentStatus(api, buyer, intent).getString("owed"));
    JsonObject owed = owedEntry(api, buyer.getString("id"));
    assertEquals("70", owed.getString("owed"));
    assertEquals(new JsonArray().add(new JsonObject().put("paymentIntentId", intent.getString("paymentIntentId")).put("owed", "70")),
        owed.getJsonArray("payments"));
    api.get("/api/admin/owed-balances", buyer.getString("token")).expectProblem(403, "forbidden");

    // Lost: the AZR were taken back already; nothing moves twice.
    PaymentsTest.deliver(api, dispute(disputeId, intent, "lost")).expect(200);
    assertEquals("0", WalletTest.balance(api, buyer).getString("balance"));
    assertEquals("70", intentStatus(api, buyer, intent).getString("owed"));
    assertEquals("70", WalletTest.balance(api, friend).getString("balance"), "the friend's AZR are theirs");

    // The 70 owed still circulate: of the 100 AZR of room, a 100 AZR completion mints only 30.
    JsonObject learner = WalletTest.newUser(api);
    String course = UUID.randomUUID().toString();
    education.emit(EducationEvents.COURSE_COMPLETED, new JsonObject().put("userId", learner.getString("id")).put("courseId", course)
        .put("level", "beginner").put("rewardable", true));
    long deadline = System.currentTimeMillis() + 15_000;
    while (mined.stream().noneMatch(e -> course.equals(e.getJsonObject("data").getString("activityId")))) {
      assertTrue(System.currentTimeMillis() < deadline, "tokens.mined for the completion");
      Thread.sleep(100);
    }
    assertEquals("30", WalletTest.balance(api, learner).getString("balance"));

    JsonObject report = api.get("/api/ledger/verify", admin).expect(200).json();
    assertEquals(Boolean.TRUE, report.getBoolean("ok"), report::encodePrettily);
  }

  @Test
  void aDisputeWonGivesTheAzrBack(HttpApi api) {
    JsonObject buyer = WalletTest.newUser(api);
    JsonObject friend = WalletTest.newUser(api);
    JsonObject intent = buy(api, buyer, "50");
    WalletTest.transfer(api, buyer, friend.getString("id"), "20", null).expect(201);
    String disputeId = "dp_" + UUID.randomUUID();
    PaymentsTest.deliver(api, dispute(disputeId, intent, "needs_response")).expect(200);
    assertEquals("0", WalletTest.balance(api, buyer).getString("balance"));
    assertEquals("20", intentStatus(api, buyer, intent).getString("owed"));

    // The merchant wins: the debt is cancelled and the 30 AZR taken back are returned.
    PaymentsTest.deliver(api, dispute(disputeId, intent, "won")).expect(200);
    assertEquals("30", WalletTest.balance(api, buyer).getString("balance"));
    // An update of the dispute delivered late, after its outcome, reopens nothing.
    PaymentsTest.deliver(api, FakeStripe.event("charge.dispute.updated", dispute(disputeId, intent, "under_review")
        .getJsonObject("data").getJsonObject("object"))).expect(200);
    assertEquals("30", WalletTest.balance(api, buyer).getString("balance"));
    assertEquals("0", intentStatus(api, buyer, intent).getString("owed"));
    assertEquals(null, owedEntry(api, buyer.getString("id")));
    JsonObject report = api.get("/api/ledger/verify", admin).expect(200).json();
    assertEquals(Boolean.TRUE, report.getBoolean("ok"), report::encodePrettily);
  }

  @Test
  void anInquiryTakesNothingAndALateRefundNoticeChangesNothing(HttpApi api) {
    JsonObject buyer = WalletTest.newUser(api);
    JsonObject intent = buy(api, buyer, "100");
    // An inquiry (a "warning" dispute) withdraws no money from the merchant: nothing is taken back.
    PaymentsTest.deliver(api, dispute("dp_" + UUID.randomUUID(), intent, "warning_needs_response")).expect(200);
    assertEquals("100", WalletTest.balance(api, buyer).getString("balance"));

    // Stripe reports half, then all of it refunded; the half notice arriving again afterwards changes nothing.
    JsonObject charge = new JsonObject().put("id", "ch_" + UUID.randomUUID()).put("object", "charge")
        .put("payment_intent", intent.getString("paymentIntentId")).put("amount", 1000).put("currency", "usd");
    JsonObject half = FakeStripe.event("charge.refunded", charge.copy().put("amount_refunded", 500));
    PaymentsTest.deliver(api, half).expect(200);
    PaymentsTest.deliver(api, FakeStripe.event("charge.refunded", charge.copy().put("amount_refunded", 1000))).expect(200);
    assertEquals("0", WalletTest.balance(api, buyer).getString("balance"));
    PaymentsTest.deliver(api, FakeStripe.event("charge.refunded", charge.copy().put("amount_refunded", 500))).expect(200);
    assertEquals("0", WalletTest.balance(api, buyer).getString("balance"), "a late, smaller figure gives nothing back");
  }
}
