package io.azora.finance;

import io.azora.platform.CallerAssertion;
import io.azora.auth.IdentityService;
import io.azora.support.DomainAlone;
import io.azora.support.FakeIdentity;
import io.azora.support.Outcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fast tier: the ledger's refusals, as finance answers them on the bus, case by case — finance alone
 * against its real database, auth a fake that knows the users made up here.
 */
@Tag("fast")
class LedgerRulesTest {

  static DomainAlone finance;
  static FakeIdentity auth = new FakeIdentity();
  static FinanceService wallets;
  static EscrowService escrow;
  static final String ADMIN = UUID.randomUUID().toString();
  /** A contract whose one milestone was funded and released. */
  static final String SETTLED = UUID.randomUUID().toString();
  /** A contract whose one milestone was funded and refunded. */
  static final String REFUNDED = UUID.randomUUID().toString();
  /** Holds 100 AZR. */
  static String payer;
  static String payee;

  @BeforeAll
  static void start() throws Exception {
    finance = DomainAlone.start("finance", new JsonObject())
        .fake(IdentityService.ADDRESS, IdentityService.class, auth);
    wallets = FinanceService.createProxy(finance.vertx(), DomainAlone.calls());
    escrow = EscrowService.createProxy(finance.vertx(),
        CallerAssertion.asService(DomainAlone.calls(), EscrowService.CALLER));
    payer = auth.user();
    payee = auth.user();
    assertEquals(200, Outcome.of(wallets.grant(ADMIN, payer, new JsonObject().put("amount", "100").put("reason", "seed"),
        "seed-" + payer)).status());
    // A key used once, for 1 AZR; a milestone released, another refunded.
    assertEquals(200, Outcome.of(wallets.transfer(payer, new TransferRequest(payee, "1", null), "used-key")).status());
    assertEquals(200, Outcome.of(escrow.fund(new EscrowFunding(SETTLED, payer,
        List.of(new EscrowFunding.Milestone("m1", "2"))))).status());
    assertEquals(200, Outcome.of(escrow.release(new MilestoneRequest(SETTLED, "m1", payee))).status());
    assertEquals(200, Outcome.of(escrow.fund(new EscrowFunding(REFUNDED, payer,
        List.of(new EscrowFunding.Milestone("m1", "2"))))).status());
    assertEquals(200, Outcome.of(escrow.refund(new MilestoneRequest(REFUNDED, "m1", null))).status());
  }

  @AfterAll
  static void stop() throws Exception {
    finance.close();
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        refusal("more than the balance", 402, "insufficient_funds", () -> transfer(payee, "1000")),
        refusal("to a user auth does not know", 404, "not_found", () -> transfer(UUID.randomUUID().toString(), "1")),
        refusal("to oneself", 400, "validation_failed", () -> transfer(payer, "1")),
        refusal("nothing", 400, "validation_failed", () -> transfer(payee, "0")),
        refusal("less than nothing", 400, "validation_failed", () -> transfer(payee, "-1")),
        refusal("finer than 8 places", 400, "validation_failed", () -> transfer(payee, "0.000000001")),
        refusal("to something that is no user id", 400, "validation_failed", () -> transfer("nobody", "1")),
        refusal("a fraction as a floating-point number", 400, "validation_failed", () -> wallets.transfer(payer,
            new TransferRequest(new JsonObject().put("toUserId", payee).put("amount", 0.1)), null)),
        refusal("a used key for another amount", 409, "idempotency_conflict",
            () -> wallets.transfer(payer, new TransferRequest(payee, "2", null), "used-key")),
        refusal("an escrow larger than the wallet", 402, "insufficient_funds",
            () -> escrow.fund(new EscrowFunding(UUID.randomUUID().toString(), payer,
                List.of(new EscrowFunding.Milestone("m1", "500"))))),
        refusal("a milestone released after its refund", 409, "conflict",
            () -> escrow.release(new MilestoneRequest(REFUNDED, "m1", payee))),
        refusal("a milestone refunded after its release", 409, "conflict",
            () -> escrow.refund(new MilestoneRequest(SETTLED, "m1", null))),
        refusal("a milestone never funded", 404, "not_found",
            () -> escrow.release(new MilestoneRequest(SETTLED, "m2", payee))));
  }

  @ParameterizedTest(name = "{0}: {1} {2}")
  @MethodSource("refusals")
  void theLedgerRefuses(String what, int status, String code, Supplier<Future<?>> call) {
    Outcome outcome = Outcome.of(call.get());
    assertEquals(status + " " + code, outcome.toString(), what);
  }

  static Arguments refusal(String what, int status, String code, Supplier<Future<?>> call) {
    return Arguments.of(what, status, code, call);
  }

  static Future<?> transfer(String to, String amount) {
    return wallets.transfer(payer, new TransferRequest(to, amount, null), null);
  }
}
