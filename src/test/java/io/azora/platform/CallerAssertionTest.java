package io.azora.platform;

import io.azora.auth.AuthService;
import io.azora.education.EducationService;
import io.azora.finance.EscrowFunding;
import io.azora.finance.EscrowService;
import io.azora.finance.EscrowState;
import io.azora.finance.FinanceService;
import io.azora.finance.MilestoneRequest;
import io.azora.finance.TransferRequest;
import io.azora.marketplace.MarketplaceService;
import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.Market;
import io.azora.support.NodeExtension;
import io.azora.tutoring.TutoringService;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Auth, finance, education, the marketplace and tutoring check who a call acts for: the gateway signs the caller it verified from the access
 * token, and a call on the bus that moves a user's money or changes roles without that user's (or an
 * admin's) signed caller is refused, 403 caller_unverified, whoever sends it. Through the gateway the same
 * operations work, including finance's call made by education for a paid enrolment (the signature travels
 * with the request). Finance's escrow, which pays whoever a call names, takes only the marketplace's signed calls.
 */
class CallerAssertionTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(Courses.withAdmin(new JsonObject()));

  @Test
  void moneyAndRolesMoveOnlyForTheVerifiedCaller() throws Exception {
    HttpApi api = node.api();
    JsonObject victim = Market.user(api, "student");
    JsonObject thief = Market.user(api, "student");
    Market.grant(api, Courses.admin(api), victim, "100");  // an admin's grant through the gateway: signed, accepted

    String victimId = victim.getString("id");
    String thiefId = thief.getString("id");
    String thiefsOwn = studentsOwn(thiefId);
    String forged = forged(thiefsOwn);
    for (String header : new String[] {null, forged, thiefsOwn}) {
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(5_000);
      if (header != null) {
        options.addHeader(CallerAssertion.HEADER, header);
      }
      FinanceService finance = FinanceService.createProxy(node.node().vertx(), options);
      assertRefused(finance.transfer(victimId, new TransferRequest(thiefId, "100", "gift"), UUID.randomUUID().toString()));
      assertRefused(finance.grant(thiefId, thiefId, new JsonObject().put("amount", "1000").put("reason", "me"), null));
      assertRefused(AuthService.createProxy(node.node().vertx(), options).setRoles(thiefId, new JsonArray().add("admin")));
      // Posing as the victim (an employer and admin) to the marketplace, which moves escrow on such calls, and
      // to education, which spends the learner's AZR on a paid enrolment.
      Caller posing = new Caller(victimId, UUID.randomUUID().toString(), List.of("employer", "admin"));
      assertRefused(MarketplaceService.createProxy(node.node().vertx(), options).postJob(posing,
          new JsonObject().put("title", "posed").put("budget", "10")));
      assertRefused(EducationService.createProxy(node.node().vertx(), options).enroll(posing, UUID.randomUUID().toString(),
          new JsonObject()));
      // And to tutoring: the victim's notifications, and Elara answering (from the victim's courses) for them.
      assertRefused(TutoringService.createProxy(node.node().vertx(), options).notifications(posing, false, 10, null));
      JsonObject answer = node.node().vertx().eventBus().<JsonObject>request(TutoringService.ASK_ADDRESS,
          new JsonObject().put("caller", posing.toJson()).put("question", new JsonObject().put("id", "q1")
              .put("text", "What have I studied?")), options).await(10, TimeUnit.SECONDS).body();
      assertEquals("error", answer.getString("type"), answer::encode);
      assertEquals(403, answer.getInteger("status"), answer::encode);
    }
    assertEquals("100", balance(api, victim), "nothing moved");
    assertEquals("0", balance(api, thief));
    JsonObject profile = api.get("/api/auth/profile", thief.getString("token")).expect(200).json();
    assertTrue(!profile.encode().contains("\"admin\""), "no admin role: " + profile.encode());

    // Their own calls, through the gateway, go through.
    api.post("/api/wallet/transfers", victim.getString("token"), new JsonObject().put("toUserId", thiefId)
        .put("amount", "10")).expect(201);
    assertEquals("10", balance(api, thief));
  }

  @Test
  void escrowMovesOnlyForTheMarketplace() throws Exception {
    HttpApi api = node.api();
    JsonObject victim = Market.user(api, "employer");
    JsonObject thief = Market.user(api, "student");
    Market.grant(api, Courses.admin(api), victim, "100");
    String thiefsOwn = studentsOwn(thief.getString("id"));
    String forged = forged(thiefsOwn);
    // A contract of the thief's making: the victim's AZR held in escrow, then its milestone released to the thief.
    String contract = UUID.randomUUID().toString();
    String milestone = UUID.randomUUID().toString();
    JsonObject stateCall = new JsonObject().put("contractId", UUID.randomUUID().toString());  // some other contract
    String anotherDomain = CallerAssertion.signService("education", EscrowService.ADDRESS, "state", stateCall);
    // The marketplace's real signature of another call, seen on the bus: it covers that call only.
    String replayed = CallerAssertion.signService(EscrowService.CALLER, EscrowService.ADDRESS, "state", stateCall);
    String[][] attempts = {
        {}, {CallerAssertion.SERVICE_HEADER, forged}, {CallerAssertion.SERVICE_HEADER, thiefsOwn},
        {CallerAssertion.HEADER, thiefsOwn}, {CallerAssertion.SERVICE_HEADER, anotherDomain},
        {CallerAssertion.SERVICE_HEADER, replayed}};
    for (String[] attempt : attempts) {
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(5_000);
      if (attempt.length == 2) {
        options.addHeader(attempt[0], attempt[1]);
      }
      EscrowService escrow = EscrowService.createProxy(node.node().vertx(), options);
      assertRefused(escrow.fund(new EscrowFunding(contract, victim.getString("id"),
          List.of(new EscrowFunding.Milestone(milestone, "100")))));
      assertRefused(escrow.release(new MilestoneRequest(contract, milestone, thief.getString("id"))));
      assertRefused(escrow.state(contract));
    }
    assertEquals("100", balance(api, victim), "nothing held or moved");
    assertEquals("0", balance(api, thief));

    // The marketplace's own signed call is served: nothing was ever held for that contract.
    EscrowService marketplace = EscrowService.createProxy(node.node().vertx(),
        CallerAssertion.asService(new DeliveryOptions().setSendTimeout(5_000), EscrowService.CALLER));
    EscrowState state = marketplace.state(contract).await(10, TimeUnit.SECONDS);
    assertEquals(List.of(), state.milestones());
    assertEquals("0", state.held());
  }

  /** A real assertion of a student's own caller: what a user could pick up of their own on the bus. */
  static String studentsOwn(String userId) {
    return CallerAssertion.sign(new Caller(userId, UUID.randomUUID().toString(), List.of("student")));
  }

  /** {@code assertion}'s payload under a signature that is not ours. */
  static String forged(String assertion) {
    return assertion.substring(0, assertion.indexOf('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  }

  static void assertRefused(Future<?> call) throws Exception {
    Throwable err = call.transform(ar -> Future.succeededFuture(ar.cause())).await(10, TimeUnit.SECONDS);
    assertTrue(err instanceof ReplyException re && re.failureCode() == 403, "refused 403, not " + err);
  }

  static String balance(HttpApi api, JsonObject user) {
    return api.get("/api/wallet/balance", user.getString("token")).expect(200).json().getString("balance");
  }
}
