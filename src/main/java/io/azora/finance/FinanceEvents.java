package io.azora.finance;

import io.azora.platform.EventType;

import java.util.List;

/** The events finance produces on Nexus (its outbox, its feed): what other domains may subscribe to. */
public final class FinanceEvents {

  public static final String SOURCE = "finance";

  public static final EventType TOKENS_MINED = EventType.of(SOURCE, "tokens.mined", 1,
      "Proof-of-Knowledge: the reward of a verified activity was minted into the learner's wallet (tokens may be 0 at a cap)",
      "userId", "activityType", "activityId", "rewardId", "tokens", "epoch");
  public static final EventType PAYMENT_COMPLETED = EventType.of(SOURCE, "payment.completed", 1,
      "A card payment succeeded and its AZR were credited", "paymentIntentId", "userId", "azrAmount", "amountCents",
      "currency", "transferId");
  public static final EventType TRANSFER_COMPLETED = EventType.of(SOURCE, "transfer.completed", 1,
      "AZR moved between wallets (fromUserId null when the treasury paid)", "transferId", "fromUserId", "toUserId",
      "amount", "reason");

  public static final List<EventType> ALL = List.of(TOKENS_MINED, PAYMENT_COMPLETED, TRANSFER_COMPLETED);

  private FinanceEvents() {
  }
}
