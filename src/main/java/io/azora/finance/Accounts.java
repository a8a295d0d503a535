package io.azora.finance;

import io.azora.platform.Ids;

import java.util.UUID;

/**
 * Ledger account ids. Every account's id follows from what it is (a user's wallet, a contract's escrow,
 * a system account), so any instance can name an account without looking it up.
 */
final class Accounts {

  static final UUID ISSUANCE = system("issuance");
  static final UUID TREASURY = system("treasury");
  static final UUID FEES = system("fees");
  static final UUID STRIPE_CLEARING = system("stripe_clearing");
  static final UUID STAKING_REWARDS = system("staking_rewards");

  private Accounts() {
  }

  static UUID system(String code) {
    return Ids.derive("account", "system", code);
  }

  static UUID wallet(String userId) {
    return Ids.derive("account", "wallet", userId);
  }

  static UUID stake(String userId) {
    return Ids.derive("account", "stake", userId);
  }

  static UUID escrow(String contractId) {
    return Ids.derive("account", "escrow", contractId);
  }
}
