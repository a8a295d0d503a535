package io.azora.finance;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** FinanceService on the bus: each call handed to the part of finance that owns it. */
final class FinanceServiceImpl implements FinanceService {

  private final Wallets wallets;
  private final LedgerVerifier verifier;
  private final Mining mining;
  private final Staking staking;
  private final Payments payments;

  FinanceServiceImpl(Wallets wallets, LedgerVerifier verifier, Mining mining, Staking staking, Payments payments) {
    this.payments = payments;
    this.wallets = wallets;
    this.verifier = verifier;
    this.mining = mining;
    this.staking = staking;
  }

  @Override
  public Future<JsonObject> balance(String userId) {
    return wallets.balance(userId);
  }

  @Override
  public Future<JsonObject> transactions(String userId, String type, int limit, String cursor) {
    return wallets.transactions(userId, type, limit, cursor);
  }

  @Override
  public Future<JsonObject> transfer(String userId, TransferRequest request, String idempotencyKey) {
    return wallets.transfer(userId, request, idempotencyKey);
  }

  @Override
  public Future<JsonObject> stake(String userId, JsonObject request, String idempotencyKey) {
    return staking.stake(userId, request, idempotencyKey);
  }

  @Override
  public Future<JsonObject> unstake(String userId, String stakeId) {
    return staking.unstake(userId, stakeId);
  }

  @Override
  public Future<JsonObject> startMining(String userId, JsonObject request) {
    return mining.start(userId, request);
  }

  @Override
  public Future<JsonObject> miningStats() {
    return mining.stats();
  }

  @Override
  public Future<JsonObject> createPaymentIntent(String userId, JsonObject request, String idempotencyKey) {
    return payments.createIntent(userId, request, idempotencyKey);
  }

  @Override
  public Future<JsonObject> paymentIntent(String userId, String intentId) {
    return payments.intent(userId, intentId);
  }

  @Override
  public Future<JsonObject> stripeWebhook(String payload, String signature) {
    return payments.webhook(payload, signature);
  }






  @Override
  public Future<JsonObject> grant(String adminId, String userId, JsonObject request, String idempotencyKey) {
    return wallets.grant(adminId, userId, request, idempotencyKey);
  }

  @Override
  public Future<JsonObject> owedBalances(int limit, String cursor) {
    return payments.owed(Math.max(1, Math.min(limit, 100)), cursor);
  }

  @Override
  public Future<JsonObject> verifyLedger() {
    return verifier.verify();
  }
}
