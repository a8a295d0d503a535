package io.azora.finance;

import io.azora.platform.CallerAssertion;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Escrow as the marketplace will use it: EscrowService calls on the event bus, balances seen by the users
 * through the gateway.
 */
class EscrowTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject().put("auth", new JsonObject()
      .put("adminEmail", WalletTest.ADMIN_EMAIL).put("adminPassword", WalletTest.ADMIN_PASSWORD)));

  static String admin;
  static EscrowService escrow;

  @BeforeAll
  static void setUp() {
    admin = node.api().login(WalletTest.ADMIN_EMAIL, WalletTest.ADMIN_PASSWORD).getString("accessToken");
    escrow = EscrowService.createProxy(node.node().vertx(),
        CallerAssertion.asService(new DeliveryOptions().setSendTimeout(10_000), EscrowService.CALLER));
  }

  // The marketplace's calls, answers as JSON for the assertions.
  static Future<JsonObject> fundEscrow(JsonObject request) {
    return escrow.fund(new EscrowFunding(request)).map(EscrowState::toJson);
  }

  static Future<JsonObject> releaseMilestone(JsonObject request) {
    return escrow.release(new MilestoneRequest(request)).map(MilestoneOutcome::toJson);
  }

  static Future<JsonObject> refundMilestone(JsonObject request) {
    return escrow.refund(new MilestoneRequest(request)).map(MilestoneOutcome::toJson);
  }

  static Future<JsonObject> splitEscrow(JsonObject request) {
    return escrow.split(new EscrowSplit(request)).map(SplitOutcome::toJson);
  }

  static Future<JsonObject> escrowState(String contractId) {
    return escrow.state(contractId).map(EscrowState::toJson);
  }

  static JsonObject await(Future<JsonObject> call) throws Exception {
    return call.await(15, TimeUnit.SECONDS);
  }

  static ServiceException refused(Future<JsonObject> call) {
    return assertThrows(ServiceException.class, () -> await(call));
  }

  static JsonObject contract(String contractId, JsonObject employer, String... amounts) {
    JsonArray milestones = new JsonArray();
    for (int i = 0; i < amounts.length; i++) {
      milestones.add(new JsonObject().put("id", "m" + (i + 1)).put("amount", amounts[i]));
    }
    return new JsonObject().put("contractId", contractId).put("employerId", employer.getString("id")).put("milestones", milestones);
  }

  static JsonObject milestone(String contractId, String milestoneId, JsonObject freelancer) {
    return new JsonObject().put("contractId", contractId).put("milestoneId", milestoneId)
        .put("freelancerId", freelancer.getString("id"));
  }

  @Test
  void fundReleaseAndRefund(HttpApi api) throws Exception {
    JsonObject employer = WalletTest.newUser(api);
    JsonObject freelancer = WalletTest.newUser(api);
    WalletTest.grant(api, admin, employer.getString("id"), "1000");
    String contractId = UUID.randomUUID().toString();

    JsonObject funded = await(fundEscrow(contract(contractId, employer, "300", "200")));
    assertEquals("500", funded.getString("held"));
    assertEquals(2, funded.getJsonArray("milestones").size());
    JsonObject wallet = WalletTest.balance(api, employer);
    assertEquals("1000", wallet.getString("balance"), "held money stays the employer's");
    assertEquals("500", wallet.getString("held"));
    assertEquals("500", wallet.getString("available"));
    // Held money cannot be spent twice.
    WalletTest.transfer(api, employer, freelancer.getString("id"), "600", null).expectProblem(402, "insufficient_funds");
    // Funding again is the same funding.
    assertEquals(funded, await(fundEscrow(contract(contractId, employer, "300", "200"))));
    assertEquals("500", WalletTest.balance(api, employer).getString("held"));

    JsonObject released = await(releaseMilestone(milestone(contractId, "m1", freelancer)));
    assertEquals("300", released.getString("amount"));
    assertEquals("30", released.getString("fee"));
    assertEquals("270", released.getString("net"));
    assertEquals("270", WalletTest.balance(api, freelancer).getString("balance"));
    wallet = WalletTest.balance(api, employer);
    assertEquals("700", wallet.getString("balance"));
    assertEquals("200", wallet.getString("held"));
    // A retried release changes nothing; a refund of a released milestone is refused.
    assertEquals(released, await(releaseMilestone(milestone(contractId, "m1", freelancer))));
    assertEquals(409, refused(refundMilestone(milestone(contractId, "m1", freelancer))).failureCode());
    assertEquals("270", WalletTest.balance(api, freelancer).getString("balance"));

    JsonObject refunded = await(refundMilestone(milestone(contractId, "m2", freelancer)));
    assertEquals("refunded", refunded.getString("status"));
    wallet = WalletTest.balance(api, employer);
    assertEquals("700", wallet.getString("balance"));
    assertEquals("0", wallet.getString("held"));
    assertEquals(409, refused(releaseMilestone(milestone(contractId, "m2", freelancer))).failureCode());

    JsonObject state = await(escrowState(contractId));
    assertEquals("0", state.getString("held"));
    assertEquals("released", state.getJsonArray("milestones").getJsonObject(0).getString("status"));
    assertEquals("refunded", state.getJsonArray("milestones").getJsonObject(1).getString("status"));
    // Both sides' histories show it.
    JsonArray freelancerHistory = api.get("/api/transactions", freelancer.getString("token")).expect(200).json().getJsonArray("items");
    assertEquals("fee", freelancerHistory.getJsonObject(0).getString("type"));
    assertEquals("escrow", freelancerHistory.getJsonObject(1).getString("type"));
    assertEquals(contractId, freelancerHistory.getJsonObject(1).getString("counterparty"));
    assertVerified(api);
  }

  @Test
  void fundingIsAllOrNothing(HttpApi api) throws Exception {
    JsonObject employer = WalletTest.newUser(api);
    WalletTest.grant(api, admin, employer.getString("id"), "100");
    String contractId = UUID.randomUUID().toString();
    ServiceException short_ = refused(fundEscrow(contract(contractId, employer, "60", "50")));
    assertEquals(402, short_.failureCode());
    assertEquals("insufficient_funds", short_.getDebugInfo().getString("code"));
    assertEquals("0", WalletTest.balance(api, employer).getString("held"), "no milestone held");
    assertEquals(400, refused(fundEscrow(contract(contractId, employer, "0"))).failureCode());
    assertEquals(400, refused(fundEscrow(new JsonObject().put("contractId", "x"))).failureCode());
    assertEquals(404, refused(releaseMilestone(milestone(contractId, "m9", employer))).failureCode());
    // The same contract and milestone with another amount is not the same funding.
    await(fundEscrow(contract(contractId, employer, "60")));
    assertEquals(409, refused(fundEscrow(contract(contractId, employer, "61"))).failureCode());
  }

  @Test
  void disputesSplitWhatIsStillHeld(HttpApi api) throws Exception {
    JsonObject employer = WalletTest.newUser(api);
    JsonObject freelancer = WalletTest.newUser(api);
    WalletTest.grant(api, admin, employer.getString("id"), "1000");
    String contractId = UUID.randomUUID().toString();
    await(fundEscrow(contract(contractId, employer, "100", "200", "300")));
    await(releaseMilestone(milestone(contractId, "m1", freelancer)));  // 90 to the freelancer

    JsonObject split = new JsonObject().put("contractId", contractId).put("freelancerId", freelancer.getString("id"))
        .put("freelancerShare", 30);
    JsonObject settled = await(splitEscrow(split));
    // Of the 500 still held, 30 % (150) to the freelancer minus 10 % fee (15); 350 back to the employer.
    assertEquals("135", settled.getString("toFreelancer"));
    assertEquals("15", settled.getString("fee"));
    assertEquals("350", settled.getString("toEmployer"));
    assertEquals(settled, await(splitEscrow(split)), "a retried split answers the same");
    assertEquals(409, refused(splitEscrow(split.copy().put("freelancerShare", 31))).failureCode());
    assertEquals("225", WalletTest.balance(api, freelancer).getString("balance"));
    JsonObject wallet = WalletTest.balance(api, employer);
    assertEquals("750", wallet.getString("balance"));
    assertEquals("0", wallet.getString("held"));
    assertEquals(java.util.List.of("released", "split", "split"), await(escrowState(contractId)).getJsonArray("milestones")
        .stream().map(m -> ((JsonObject) m).getString("status")).toList());
    assertEquals(400, refused(splitEscrow(split.copy().put("freelancerShare", 101))).failureCode());

    // All to the employer: nothing moves to the freelancer, no fee.
    String other = UUID.randomUUID().toString();
    await(fundEscrow(contract(other, employer, "50")));
    JsonObject none = await(splitEscrow(new JsonObject().put("contractId", other)
        .put("freelancerId", freelancer.getString("id")).put("freelancerShare", 0)));
    assertEquals("0", none.getString("toFreelancer"));
    assertEquals("50", none.getString("toEmployer"));
    assertEquals("750", WalletTest.balance(api, employer).getString("available"));
    assertVerified(api);
  }

  @Test
  void aMilestoneReleasedAndRefundedAtOnceSettlesOneWayOnly(HttpApi api) throws Exception {
    for (int round = 0; round < 5; round++) {
      JsonObject employer = WalletTest.newUser(api);
      JsonObject freelancer = WalletTest.newUser(api);
      WalletTest.grant(api, admin, employer.getString("id"), "100");
      String contractId = UUID.randomUUID().toString();
      await(fundEscrow(contract(contractId, employer, "100")));
      Future<JsonObject> release = releaseMilestone(milestone(contractId, "m1", freelancer));
      Future<JsonObject> refund = refundMilestone(milestone(contractId, "m1", freelancer));
      Future.join(release, refund).otherwiseEmpty().await(15, TimeUnit.SECONDS);
      assertTrue(release.succeeded() ^ refund.succeeded(), "exactly one of them settles it");
      Future<JsonObject> loser = release.succeeded() ? refund : release;
      assertEquals(409, ((ServiceException) loser.cause()).failureCode());
      JsonObject employerWallet = WalletTest.balance(api, employer);
      assertEquals("0", employerWallet.getString("held"));
      if (release.succeeded()) {
        assertEquals("0", employerWallet.getString("balance"));
        assertEquals("90", WalletTest.balance(api, freelancer).getString("balance"));
        assertEquals("released", await(escrowState(contractId)).getJsonArray("milestones").getJsonObject(0).getString("status"));
      } else {
        assertEquals("100", employerWallet.getString("balance"));
        assertEquals("0", WalletTest.balance(api, freelancer).getString("balance"));
        assertEquals("refunded", await(escrowState(contractId)).getJsonArray("milestones").getJsonObject(0).getString("status"));
      }
    }
    assertVerified(api);
  }

  static void assertVerified(HttpApi api) {
    JsonObject report = api.get("/api/ledger/verify", admin).expect(200).json();
    assertEquals(Boolean.TRUE, report.getBoolean("ok"), report::encodePrettily);
  }
}
