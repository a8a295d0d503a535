package io.azora.finance;

import io.azora.platform.Ids;
import io.azora.platform.Money;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Staking: AZR locked for 30, 90 or 365 days in the user's stake account. Withdrawn after unlock it
 * pays the principal plus the reward for the term (amount × yearly rate × days / 365, rounded down to
 * the minor unit), minted through staking_rewards within the supply cap; withdrawn early, the
 * principal only.
 */
final class Staking {

  private static final String INSERT = """
      INSERT INTO stakes (id, user_id, amount, days, rate, status, start_at, unlock_at)
      VALUES ($1, $2, $3, $4, $5, 'active', $6, $7) ON CONFLICT (id) DO NOTHING RETURNING id""";
  private static final String FIND = "SELECT * FROM stakes WHERE id = $1";
  private static final String LOCK = "SELECT *, now() AS now FROM stakes WHERE id = $1 FOR UPDATE";
  private static final String WITHDRAW = "UPDATE stakes SET status = 'withdrawn', withdrawn_at = now(), reward = $2 WHERE id = $1";
  private static final BigDecimal DAYS_A_YEAR = BigDecimal.valueOf(365);

  private final Pool pool;
  private final FinanceConfig config;

  Staking(Pool pool, FinanceConfig config) {
    this.pool = pool;
    this.config = config;
  }

  Future<JsonObject> stake(String userId, JsonObject request, String idempotencyKey) {
    long amount;
    try {
      amount = Money.parsePositive(request.getValue("amount"), "amount");
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    Integer days = request.getInteger("days");
    BigDecimal rate = config.stakingRates().get(days);
    if (rate == null) {
      return Problems.fail(Problems.invalid("days", "must be 30, 90 or 365"));
    }
    UUID id = idempotencyKey == null ? UUID.randomUUID() : Ids.derive("stake", userId, idempotencyKey);
    UUID user = UUID.fromString(userId);
    OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC);
    return pool.withTransaction(tx -> Ledger.openWallet(tx, userId)
            .compose(v -> Ledger.open(tx, Accounts.stake(userId), "stake", null, userId, 0L))
            .compose(v -> tx.preparedQuery(INSERT).execute(Tuple.of(id, user, amount, days, rate, start, start.plusDays(days))))
            .compose(inserted -> inserted.size() == 0
                ? Future.succeededFuture()  // a replay: the first request's stake and transfer stand
                : Ledger.post(tx, List.of(Posting.posted(id, "stake", Accounts.wallet(userId), Accounts.stake(userId),
                    amount, "staked for " + days + " days")), userId, null).<Void>mapEmpty())
            .compose(v -> tx.preparedQuery(FIND).execute(Tuple.of(id))))
        .recover(err -> Future.failedFuture(Ledger.problem(err)))
        .compose(rows -> {
          Row row = rows.iterator().next();
          if (!row.getUUID("user_id").equals(user) || row.getLong("amount") != amount || row.getInteger("days") != days.intValue()) {
            return Problems.fail(Problems.of(409, "idempotency_conflict", "This idempotency key was used for a different stake"));
          }
          return Future.succeededFuture(json(row));
        });
  }

  Future<JsonObject> unstake(String userId, String stakeId) {
    UUID id;
    try {
      id = UUID.fromString(stakeId);
    } catch (IllegalArgumentException e) {
      return Problems.fail(Problems.notFound("No such stake"));
    }
    return pool.withTransaction(tx -> tx.preparedQuery(LOCK).execute(Tuple.of(id)).compose(rows -> {
          if (rows.size() == 0 || !rows.iterator().next().getUUID("user_id").toString().equals(userId)) {
            return Problems.fail(Problems.notFound("No such stake"));
          }
          Row stake = rows.iterator().next();
          if (!"active".equals(stake.getString("status"))) {
            return Future.succeededFuture(rows);  // withdrawn before: a retry gets the same answer
          }
          boolean unlocked = !stake.getOffsetDateTime("now").isBefore(stake.getOffsetDateTime("unlock_at"));
          long reward = unlocked ? termReward(stake) : 0;
          return (reward == 0 ? Future.succeededFuture(0L) : Mining.lockMinting(tx)
                  .compose(state -> Mining.supplyRoom(tx, config.maxSupply()))
                  .map(room -> Math.min(room, reward)))
              .compose(paid -> pay(tx, userId, stake, paid))
              .compose(paid -> tx.preparedQuery(WITHDRAW).execute(Tuple.of(id, paid)))
              .compose(v -> tx.preparedQuery(FIND).execute(Tuple.of(id)));
        }))
        .recover(err -> Future.failedFuture(Ledger.problem(err)))
        .map(rows -> json(rows.iterator().next()));
  }

  /** The reward of a full term: amount × rate × days / 365, rounded down to the minor unit. */
  static long termReward(Row stake) {
    return BigDecimal.valueOf(stake.getLong("amount")).multiply(stake.getBigDecimal("rate"))
        .multiply(BigDecimal.valueOf(stake.getInteger("days")))
        .divide(DAYS_A_YEAR, 0, RoundingMode.DOWN).longValueExact();
  }

  /** Principal back to the wallet, and the reward minted to staking_rewards and paid on: one batch. */
  private Future<Long> pay(SqlClient tx, String userId, Row stake, long reward) {
    UUID id = stake.getUUID("id");
    List<Posting> batch = new ArrayList<>();
    batch.add(Posting.posted(Ids.derive("unstake", id.toString()), "stake", Accounts.stake(userId),
        Accounts.wallet(userId), stake.getLong("amount"), "stake returned"));
    if (reward > 0) {
      batch.add(Posting.posted(Ids.derive("stake-mint", id.toString()), "stake", Accounts.ISSUANCE,
          Accounts.STAKING_REWARDS, reward, "staking reward minted"));
      batch.add(Posting.posted(Ids.derive("stake-reward", id.toString()), "stake", Accounts.STAKING_REWARDS,
          Accounts.wallet(userId), reward, "staking reward"));
    }
    return Ledger.post(tx, batch, userId, null).map(reward);
  }

  static JsonObject json(Row row) {
    Long reward = row.getLong("reward");
    JsonObject json = new JsonObject().put("id", row.getUUID("id").toString()).put("amount", Money.format(row.getLong("amount")))
        .put("days", row.getInteger("days")).put("rewardRate", row.getBigDecimal("rate").stripTrailingZeros().toPlainString())
        .put("status", row.getString("status"))
        .put("startDate", instant(row.getOffsetDateTime("start_at"))).put("unlockDate", instant(row.getOffsetDateTime("unlock_at")));
    if (reward != null) {
      json.put("reward", Money.format(reward)).put("total", Money.format(row.getLong("amount") + reward))
          .put("withdrawnAt", instant(row.getOffsetDateTime("withdrawn_at")));
    }
    return json;
  }

  private static String instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
