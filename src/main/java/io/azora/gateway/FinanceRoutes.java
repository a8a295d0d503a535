package io.azora.gateway;

import io.azora.finance.FinanceService;
import io.azora.finance.TransferRequest;
import io.azora.gateway.Api.Access;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;

import static io.azora.gateway.Api.caller;

/** API.md's Finance section: HTTP in, FinanceService calls on the bus, HTTP out. No domain logic here. */
final class FinanceRoutes implements DomainRoutes {

  private final Api api;
  private final FinanceService finance;
  /** Verifying reads the whole ledger: minutes for a large one. */
  private static final long VERIFY_MS = 300_000;
  private final FinanceService slowFinance;
  /** Calls to Stripe retry with back-off: up to three attempts of 10 s. */
  private static final long STRIPE_MS = 60_000;
  private final FinanceService stripeFinance;

  FinanceRoutes(Api api) {
    this.api = api;
    this.finance = FinanceService.createProxy(api.vertx(), api.delivery());
    this.slowFinance = FinanceService.createProxy(api.vertx(), api.delivery().setSendTimeout(VERIFY_MS));
    this.stripeFinance = FinanceService.createProxy(api.vertx(), api.delivery().setSendTimeout(STRIPE_MS));
  }

  private <T> Handler<RoutingContext> call(int status, Function<RoutingContext, Future<T>> call) {
    return api.respond(status, "finance", call);
  }

  private <T> Handler<RoutingContext> call(int status, long timeoutMs, Function<RoutingContext, Future<T>> call) {
    return api.respond(status, "finance", timeoutMs, call);
  }

  @Override
  public void mount(Router r) {
    r.get("/api/wallet/balance").handler(api.guard(Access.USER))
        .handler(call(200, ctx -> finance.balance(caller(ctx).userId())));
    r.get("/api/transactions").handler(api.guard(Access.USER)).handler(api.validate("transactions"))
        .handler(call(200, ctx -> finance.transactions(caller(ctx).userId(), ctx.queryParams().get("type"),
            Api.limit(ctx), ctx.queryParams().get("cursor"))));
    r.post("/api/wallet/transfers").handler(api.guard(Access.USER)).handler(api.validate("transfer"))
        .handler(api.idempotent())
        .handler(call(201, ctx -> finance.transfer(caller(ctx).userId(), new TransferRequest(ExactAmounts.body(ctx, "amount")),
            ctx.request().getHeader(Idempotency.HEADER))));
    r.post("/api/wallet/stake").handler(api.guard(Access.USER)).handler(api.validate("stake"))
        .handler(api.idempotent())
        .handler(call(201, ctx -> finance.stake(caller(ctx).userId(), ExactAmounts.body(ctx, "amount"),
            ctx.request().getHeader(Idempotency.HEADER))));
    r.post("/api/wallet/stakes/:id/unstake").handler(api.guard(Access.USER)).handler(api.validate("unstake"))
        .handler(api.idempotent())
        .handler(call(200, ctx -> finance.unstake(caller(ctx).userId(), ctx.pathParam("id"))));
    r.post("/api/mining/start").handler(api.guard(Access.USER)).handler(api.validate("startMining"))
        .handler(api.idempotent())
        .handler(api.respondCreatedOrFound("finance", ctx -> finance.startMining(caller(ctx).userId(), Api.body(ctx))));
    r.get("/api/mining/stats").handler(api.guard(Access.PUBLIC))
        .handler(call(200, ctx -> finance.miningStats()));
    r.post("/api/payments/intents").handler(api.guard(Access.USER)).handler(api.validate("createPaymentIntent"))
        .handler(api.idempotent())
        .handler(call(201, STRIPE_MS, ctx -> stripeFinance.createPaymentIntent(caller(ctx).userId(), ExactAmounts.body(ctx, "azrAmount"),
            ctx.request().getHeader(Idempotency.HEADER))));
    r.get("/api/payments/intents/:id").handler(api.guard(Access.USER)).handler(api.validate("paymentIntent"))
        .handler(call(200, ctx -> finance.paymentIntent(caller(ctx).userId(), ctx.pathParam("id"))));
    // Stripe's deliveries: no token and no rate limit (the signature is the gate), the raw body as sent.
    r.post("/api/payments/webhook").handler(call(200, ctx -> finance.stripeWebhook(
        ctx.body().buffer() == null ? "" : ctx.body().buffer().toString(java.nio.charset.StandardCharsets.UTF_8),
        ctx.request().getHeader("Stripe-Signature"))));
    r.post("/api/admin/wallets/:userId/grants").handler(api.guard(Access.ADMIN)).handler(api.validate("grant"))
        .handler(api.idempotent())
        .handler(call(201, ctx -> finance.grant(caller(ctx).userId(), ctx.pathParam("userId"),
            ExactAmounts.body(ctx, "amount"), ctx.request().getHeader(Idempotency.HEADER))));
    r.get("/api/admin/owed-balances").handler(api.guard(Access.ADMIN)).handler(api.validate("owedBalances"))
        .handler(call(200, ctx -> finance.owedBalances(Api.limit(ctx), ctx.queryParams().get("cursor"))));
    r.get("/api/ledger/verify").handler(api.guard(Access.ADMIN))
        .handler(call(200, VERIFY_MS, ctx -> slowFinance.verifyLedger()));
  }
}
