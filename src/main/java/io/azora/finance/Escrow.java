package io.azora.finance;

import io.azora.platform.Ids;
import io.azora.platform.Money;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Escrow for the marketplace (on the bus only). Funding holds each milestone's amount in the employer's
 * wallet for the contract's escrow account (two-phase: the money stays the employer's, unavailable);
 * a release posts the hold and pays the freelancer, who pays the platform fee; a refund voids the hold;
 * a dispute's split posts the freelancer's share of each open hold and returns the rest. Every transfer
 * id follows from the contract and milestone, so any call can be retried: a repeat answers the first
 * outcome, and a milestone settles one way only.
 */
final class Escrow {

  private static final String RECORD = """
      INSERT INTO escrow_holds (hold_id, contract_id, milestone_id, employer_id, amount) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT DO NOTHING""";
  private static final String HOLD = "SELECT * FROM escrow_holds WHERE contract_id = $1 AND milestone_id = $2";
  private static final String STATE = """
      SELECT h.hold_id, h.milestone_id, h.amount, h.employer_id, r.id AS resolution, r.phase, r.amount AS posted
      FROM escrow_holds h LEFT JOIN transfers r ON r.pending_id = h.hold_id
      WHERE h.contract_id = $1 ORDER BY h.created_at, h.milestone_id""";

  private final Pool pool;
  private final BigDecimal feeRate;

  Escrow(Pool pool, FinanceConfig config) {
    this.pool = pool;
    this.feeRate = config.platformFee();
  }

  private static UUID holdId(UUID contract, String milestone) {
    return Ids.derive("escrow-hold", contract.toString(), milestone);
  }

  private static UUID derived(String step, UUID hold) {
    return Ids.derive("escrow", step, hold.toString());
  }

  long fee(long amount) {
    return BigDecimal.valueOf(amount).multiply(feeRate).setScale(0, RoundingMode.DOWN).longValueExact();
  }

  /** {contractId, employerId, milestones: [{id, amount}]}: holds them all, or none (402). */
  Future<JsonObject> fund(JsonObject request) {
    UUID contract;
    String employer;
    List<Posting> holds = new ArrayList<>();
    List<Tuple> records = new ArrayList<>();
    try {
      contract = uuid(request, "contractId");
      employer = uuid(request, "employerId").toString();
      JsonArray milestones = request.getJsonArray("milestones");
      if (milestones == null || milestones.isEmpty()) {
        throw Problems.invalid("milestones", "at least one milestone");
      }
      for (int i = 0; i < milestones.size(); i++) {
        JsonObject m = milestones.getJsonObject(i);
        String milestone = m.getString("id");
        if (milestone == null || milestone.isBlank()) {
          throw Problems.invalid("milestones[" + i + "].id", "is required");
        }
        long amount = Money.parsePositive(m.getValue("amount"), "milestones[" + i + "].amount");
        UUID hold = holdId(contract, milestone);
        holds.add(Posting.pending(hold, "escrow", Accounts.wallet(employer), Accounts.escrow(contract.toString()), amount,
            "escrow for milestone " + milestone));
        records.add(Tuple.of(hold, contract, milestone, UUID.fromString(employer), amount));
      }
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    return pool.withTransaction(tx -> Ledger.openWallet(tx, employer)
            .compose(v -> Ledger.open(tx, Accounts.escrow(contract.toString()), "escrow", null, contract.toString(), 0L))
            .compose(v -> Ledger.post(tx, holds, employer, null))
            .compose(v -> tx.preparedQuery(RECORD).executeBatch(records)))
        .recover(err -> Future.failedFuture(Ledger.problem(err)))
        .compose(v -> state(contract.toString()));
  }

  /** {contractId, milestoneId, freelancerId}: the hold posted to escrow and paid on, minus the platform fee. */
  Future<JsonObject> release(JsonObject request) {
    return withHold(request, (tx, hold) -> {
      String freelancer = uuid(request, "freelancerId").toString();
      UUID id = hold.getUUID("hold_id");
      long amount = hold.getLong("amount");
      long fee = fee(amount);
      List<Posting> batch = new ArrayList<>(List.of(
          Posting.post(derived("post", id), "escrow", id, null, "milestone released"),
          Posting.posted(derived("pay", id), "escrow", Accounts.escrow(hold.getUUID("contract_id").toString()),
              Accounts.wallet(freelancer), amount, "milestone " + hold.getString("milestone_id") + " released")));
      if (fee > 0) {
        batch.add(Posting.posted(derived("fee", id), "fee", Accounts.wallet(freelancer), Accounts.FEES, fee, "platform fee"));
      }
      return Ledger.openWallet(tx, freelancer).compose(v -> Ledger.post(tx, batch, null, null))
          .map(v -> new JsonObject().put("amount", Money.format(amount)).put("fee", Money.format(fee))
              .put("net", Money.format(amount - fee)).put("status", "released"));
    });
  }

  /** {contractId, milestoneId}: the hold voided, the money free in the employer's wallet again. */
  Future<JsonObject> refund(JsonObject request) {
    return withHold(request, (tx, hold) -> Ledger.post(tx, List.of(Posting.voidPending(derived("void", hold.getUUID("hold_id")),
            "escrow", hold.getUUID("hold_id"), "milestone refunded")), null, null)
        .map(v -> new JsonObject().put("amount", Money.format(hold.getLong("amount"))).put("status", "refunded")));
  }

  /**
   * {contractId, freelancerId, freelancerShare: 0..100}: of every hold still open, the share (rounded
   * down) goes to the freelancer (minus the fee) and the rest back to the employer.
   */
  Future<JsonObject> split(JsonObject request) {
    UUID contract;
    String freelancer;
    int share;
    try {
      contract = uuid(request, "contractId");
      freelancer = uuid(request, "freelancerId").toString();
      Integer s = request.getInteger("freelancerShare");
      if (s == null || s < 0 || s > 100) {
        throw Problems.invalid("freelancerShare", "must be 0 to 100");
      }
      share = s;
    } catch (ServiceException | ClassCastException e) {
      return Future.failedFuture(e instanceof ServiceException se ? se : Problems.invalid("freelancerShare", "must be 0 to 100"));
    }
    return pool.withTransaction(tx -> tx.preparedQuery(STATE).execute(Tuple.of(contract)).compose(rows -> {
          List<Posting> batch = new ArrayList<>();
          long held = 0;
          long toFreelancer = 0;
          for (Row hold : rows) {
            UUID id = hold.getUUID("hold_id");
            UUID resolution = hold.getUUID("resolution");
            // Open holds, and those this split settled already (a retry answers the same batch).
            if (resolution != null && !resolution.equals(derived("split-post", id)) && !resolution.equals(derived("split-void", id))) {
              continue;
            }
            long amount = hold.getLong("amount");
            long part = BigDecimal.valueOf(amount).multiply(BigDecimal.valueOf(share))
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.DOWN).longValueExact();
            held += amount;
            toFreelancer += part;
            batch.add(part > 0 ? Posting.post(derived("split-post", id), "escrow", id, part, "dispute settled")
                : Posting.voidPending(derived("split-void", id), "escrow", id, "dispute settled"));
          }
          if (batch.isEmpty()) {
            return Problems.<JsonObject>fail(Problems.conflict("Nothing is held for this contract"));
          }
          long fee = fee(toFreelancer);
          UUID settlement = Ids.derive("escrow-split", contract.toString());
          if (toFreelancer > 0) {
            batch.add(Posting.posted(derived("split-pay", settlement), "escrow", Accounts.escrow(contract.toString()),
                Accounts.wallet(freelancer), toFreelancer, "dispute settled: " + share + "% to the freelancer"));
          }
          if (fee > 0) {
            batch.add(Posting.posted(derived("split-fee", settlement), "fee", Accounts.wallet(freelancer), Accounts.FEES, fee,
                "platform fee"));
          }
          JsonObject result = new JsonObject().put("contractId", contract.toString())
              .put("toFreelancer", Money.format(toFreelancer - fee)).put("fee", Money.format(fee))
              .put("toEmployer", Money.format(held - toFreelancer)).put("status", "split");
          return Ledger.openWallet(tx, freelancer).compose(v -> Ledger.post(tx, batch, null, null)).map(result);
        }))
        .recover(err -> Future.failedFuture(Ledger.problem(err)));
  }

  /** {contractId, accountId, held, milestones: [{milestoneId, amount, status: held|released|refunded|split}]}. */
  Future<JsonObject> state(String contractId) {
    UUID contract;
    try {
      contract = UUID.fromString(contractId);
    } catch (IllegalArgumentException e) {
      return Problems.fail(Problems.invalid("contractId", "must be a contract id"));
    }
    return pool.preparedQuery(STATE).execute(Tuple.of(contract)).map(rows -> stateOf(contract, rows));
  }

  private static JsonObject stateOf(UUID contract, RowSet<Row> rows) {
    JsonArray milestones = new JsonArray();
    long held = 0;
    for (Row row : rows) {
      UUID id = row.getUUID("hold_id");
      UUID resolution = row.getUUID("resolution");
      String status;
      if (resolution == null) {
        status = "held";
        held += row.getLong("amount");
      } else if (resolution.equals(derived("post", id))) {
        status = "released";
      } else if (resolution.equals(derived("void", id))) {
        status = "refunded";
      } else {
        status = "split";
      }
      milestones.add(new JsonObject().put("milestoneId", row.getString("milestone_id"))
          .put("amount", Money.format(row.getLong("amount"))).put("status", status));
    }
    return new JsonObject().put("contractId", contract.toString())
        .put("accountId", Accounts.escrow(contract.toString()).toString()).put("held", Money.format(held))
        .put("milestones", milestones);
  }

  private interface HoldStep {
    Future<JsonObject> apply(SqlClient tx, Row hold);
  }

  /** Runs {@code step} on the milestone's hold in one transaction; 404 if it was never funded. */
  private Future<JsonObject> withHold(JsonObject request, HoldStep step) {
    UUID contract;
    String milestone = request.getString("milestoneId");
    try {
      contract = uuid(request, "contractId");
      if (milestone == null) {
        throw Problems.invalid("milestoneId", "is required");
      }
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    return pool.withTransaction(tx -> tx.preparedQuery(HOLD).execute(Tuple.of(contract, milestone)).compose(rows -> {
          if (rows.size() == 0) {
            return Problems.<JsonObject>fail(Problems.notFound("Milestone " + milestone + " was never funded"));
          }
          try {
            return step.apply(tx, rows.iterator().next());
          } catch (ServiceException e) {
            return Future.failedFuture(e);
          }
        }))
        .recover(err -> Future.failedFuture(err instanceof Ledger.Refusal r && r.code == 410
            ? Problems.conflict("Milestone " + milestone + " is already settled") : Ledger.problem(err)))
        .map(result -> result.put("contractId", contract.toString()).put("milestoneId", milestone));
  }

  private static UUID uuid(JsonObject request, String field) {
    try {
      return UUID.fromString(request.getString(field));
    } catch (RuntimeException e) {
      throw Problems.invalid(field, "must be an id");
    }
  }
}
