package io.azora.finance;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** FinanceService on the bus: each call handed to the part of finance that owns it. */
final class FinanceServiceImpl implements FinanceService {

  static final String SOURCE = "finance";

  private final Wallets wallets;
  private final LedgerVerifier verifier;

  FinanceServiceImpl(Wallets wallets, LedgerVerifier verifier) {
    this.wallets = wallets;
    this.verifier = verifier;
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
  public Future<JsonObject> transfer(String userId, JsonObject request, String idempotencyKey) {
    return wallets.transfer(userId, request, idempotencyKey);
  }

  @Override
  public Future<JsonObject> grant(String adminId, String userId, JsonObject request, String idempotencyKey) {
    return wallets.grant(adminId, userId, request, idempotencyKey);
  }

  @Override
  public Future<JsonObject> verifyLedger() {
    return verifier.verify();
  }
}
