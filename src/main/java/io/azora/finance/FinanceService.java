package io.azora.finance;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * What the gateway (and education, for course fees) asks of finance on the event bus: wallets, transfers,
 * mining, staking, payments, the ledger. Escrow, for the marketplace, is {@link EscrowService}.
 * Amounts are decimal strings of AZR. Failures are {@link io.vertx.serviceproxy.ServiceException}s whose
 * code is the HTTP status (402 insufficient_funds, 409 idempotency_conflict...).
 */
@ProxyGen
@VertxGen
public interface FinanceService {

  String ADDRESS = "azora.finance";

  static FinanceService createProxy(Vertx vertx, DeliveryOptions options) {
    return new FinanceServiceVertxEBProxy(vertx, ADDRESS, options);
  }

  /** {id, userId, balance, available, held, staked, earned, currency} of the user's wallet. */
  Future<JsonObject> balance(String userId);

  /** A page of the wallet's history, newest first: {items, nextCursor}; {@code type} may be null. */
  Future<JsonObject> transactions(String userId, String type, int limit, String cursor);

  /**
   * Moves {toUserId, amount, memo?} from the user's wallet; {@code idempotencyKey} (may be null) names the
   * transfer, so a retry with the same key never moves money twice.
   */
  Future<JsonObject> transfer(String userId, TransferRequest request, String idempotencyKey);

  /** Locks {amount, days: 30|90|365} from the wallet: {id, amount, days, rewardRate, status, startDate, unlockDate}. */
  Future<JsonObject> stake(String userId, JsonObject request, String idempotencyKey);

  /** Withdraws a stake: principal, plus the term's reward once unlocked. */
  Future<JsonObject> unstake(String userId, String stakeId);

  /**
   * The reward of a verified activity {activityId, activityType} (mined now if not yet): {id, walletId,
   * activityId, activityType, tokensEarned, minedAt, created}; 422 if the platform never verified it.
   */
  Future<JsonObject> startMining(String userId, JsonObject request);

  /** {maxSupply, totalSupply, mined, epoch, currentMultiplier, rewardsThisEpoch, epochRewards, dailyCap}. */
  Future<JsonObject> miningStats();

  /** {azrAmount} → a Stripe PaymentIntent: {paymentIntentId, clientSecret, amountCents, currency, azrAmount, status}. */
  Future<JsonObject> createPaymentIntent(String userId, JsonObject request, String idempotencyKey);

  /** The caller's own payment intent and its status. */
  Future<JsonObject> paymentIntent(String userId, String intentId);

  /** A Stripe webhook delivery: the raw payload and its Stripe-Signature header. */
  Future<JsonObject> stripeWebhook(String payload, String signature);

  /** An admin's grant of {amount, reason} from the treasury to {@code userId}, keyed like a transfer. */
  Future<JsonObject> grant(String adminId, String userId, JsonObject request, String idempotencyKey);

  /**
   * Who owes AZR after refunds and chargebacks took back more than their wallets held (admin): a page of
   * {items: [{userId, owed, payments: [{paymentIntentId, owed}]}], nextCursor, total, users}.
   */
  Future<JsonObject> owedBalances(int limit, String cursor);

  /** {ok, entries, transfers, head, problems}: the whole ledger checked (admin). */
  Future<JsonObject> verifyLedger();
}
