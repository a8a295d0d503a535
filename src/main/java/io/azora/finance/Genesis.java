package io.azora.finance;

import io.azora.platform.Ids;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The ledger's starting state, made idempotently by every instance at start: the system accounts, the
 * supply cap as the issuance account's floor, and the initial supply minted to the treasury once.
 */
final class Genesis {

  private static final Logger log = LoggerFactory.getLogger(Genesis.class);

  private Genesis() {
  }

  static Future<Void> run(Pool pool, FinanceConfig config) {
    // Issuance's balance is minus the total supply; its floor is minus the maximum supply.
    return Ledger.open(pool, Accounts.ISSUANCE, "system", "issuance", null, -config.maxSupply())
        .compose(v -> Ledger.open(pool, Accounts.TREASURY, "system", "treasury", null, 0L))
        .compose(v -> Ledger.open(pool, Accounts.FEES, "system", "fees", null, 0L))
        .compose(v -> Ledger.open(pool, Accounts.STAKING_REWARDS, "system", "staking_rewards", null, 0L))
        // Clearing may go below zero: AZR owed back by buyers whose card payments were refunded.
        .compose(v -> Ledger.open(pool, Accounts.STRIPE_CLEARING, "system", "stripe_clearing", null, null))
        .compose(v -> pool.preparedQuery("UPDATE accounts SET min_balance = $2 WHERE id = $1 AND min_balance <> $2")
            .execute(Tuple.of(Accounts.ISSUANCE, -config.maxSupply()))
            .recover(err -> Future.failedFuture(new IllegalStateException(
                "finance.maxSupply is below the AZR already issued", err))))
        .compose(v -> Ledger.post(pool, List.of(Posting.posted(Ids.derive("genesis"), "genesis", Accounts.ISSUANCE,
                Accounts.TREASURY, config.initialSupply(), "initial supply")), null, null)
            .recover(err -> {
              if (err instanceof Ledger.Refusal r && r.reason == LedgerRefusal.IDS_REUSED) {
                log.warn("finance.initialSupply differs from the supply minted at first start; keeping the first");
                return Future.succeededFuture();
              }
              return Future.failedFuture(err);
            }))
        .mapEmpty();
  }
}
