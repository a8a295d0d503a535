package io.azora.finance;

import io.azora.platform.Ids;
import io.azora.platform.Money;
import io.azora.platform.Problems;
import io.vertx.core.Future;
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
 * Escrow for the marketplace ({@link EscrowService}, on the bus only). Funding holds each milestone's amount
 * in the employer's wallet for the contract's escrow account (two-phase: the money stays the employer's,
 * unavailable); a release posts the hold and pays the freelancer, who pays the platform fee; a refund voids
 * the hold; a dispute's split posts the freelancer's share of each open hold and returns the rest. Every
 * transfer id follows from the contract and milestone, so any call can be retried: a repeat answers the
 * first outcome, and a milestone settles one way only.
 */
final class Escrow implements EscrowService {

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

  @Override
  public Future<EscrowState> fund(EscrowFunding funding) {
    UUID contract;
    String employer;
    List<Posting> holds = new ArrayList<>();
    List<Tuple> records = new ArrayList<>();
    try {
      contract = uuid(funding.contractId(), "contractId");
      employer = uuid(funding.employerId(), "employerId").toString();
      if (funding.milestones().isEmpty()) {
        throw Problems.invalid("milestones", "at least one milestone");
      }
      for (int i = 0; i < funding.milestones().size(); i++) {
        EscrowFunding.Milestone m = funding.milestones().get(i);
        if (m.id() == null || m.id().isBlank()) {
          throw Problems.invalid("milestones[" + i + "].id", "is required");
        }
        long amount = Money.parsePositive(m.amount(), "milestones[" + i + "].amount");
        UUID hold = holdId(contract, m.id());
        holds.add(Posting.pending(hold, "escrow", Accounts.wallet(employer), Accounts.escrow(contract.toString()), amount,
            "escrow for milestone " + m.id()));
        records.add(Tuple.of(hold, contract, m.id(), UUID.fromString(employer), amount));
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

  @Override
  public Future<MilestoneOutcome> release(MilestoneRequest request) {
    return withHold(request, (tx, hold) -> {
      String freelancer = uuid(request.freelancerId(), "freelancerId").toString();
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
          .map(v -> outcome(hold, Money.format(fee), Money.format(amount - fee), "released"));
    });
  }

  @Override
  public Future<MilestoneOutcome> refund(MilestoneRequest request) {
    return withHold(request, (tx, hold) -> Ledger.post(tx, List.of(Posting.voidPending(derived("void", hold.getUUID("hold_id")),
            "escrow", hold.getUUID("hold_id"), "milestone refunded")), null, null)
        .map(v -> outcome(hold, null, null, "refunded")));
  }

  private static MilestoneOutcome outcome(Row hold, String fee, String net, String status) {
    return new MilestoneOutcome(hold.getUUID("contract_id").toString(), hold.getString("milestone_id"),
        Money.format(hold.getLong("amount")), fee, net, status);
  }

  /** Of every hold still open, the share (rounded down) goes to the freelancer (minus the fee), the rest back. */
  @Override
  public Future<SplitOutcome> split(EscrowSplit request) {
    UUID contract;
    String freelancer;
    int share;
    try {
      contract = uuid(request.contractId(), "contractId");
      freelancer = uuid(request.freelancerId(), "freelancerId").toString();
      Integer s = request.freelancerShare();
      if (s == null || s < 0 || s > 100) {
        throw Problems.invalid("freelancerShare", "must be 0 to 100");
      }
      share = s;
    } catch (ServiceException e) {
      return Future.failedFuture(e);
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
            return Problems.<SplitOutcome>fail(Problems.conflict("Nothing is held for this contract"));
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
          SplitOutcome result = new SplitOutcome(contract.toString(), Money.format(toFreelancer - fee), Money.format(fee),
              Money.format(held - toFreelancer), "split");
          return Ledger.openWallet(tx, freelancer).compose(v -> Ledger.post(tx, batch, null, null)).map(result);
        }))
        .recover(err -> Future.failedFuture(Ledger.problem(err)));
  }

  @Override
  public Future<EscrowState> state(String contractId) {
    UUID contract;
    try {
      contract = uuid(contractId, "contractId");
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    return pool.preparedQuery(STATE).execute(Tuple.of(contract)).map(rows -> stateOf(contract, rows));
  }

  private static EscrowState stateOf(UUID contract, RowSet<Row> rows) {
    List<EscrowState.Milestone> milestones = new ArrayList<>();
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
      milestones.add(new EscrowState.Milestone(row.getString("milestone_id"), Money.format(row.getLong("amount")), status));
    }
    return new EscrowState(contract.toString(), Accounts.escrow(contract.toString()).toString(), Money.format(held),
        milestones);
  }

  private interface HoldStep {
    Future<MilestoneOutcome> apply(SqlClient tx, Row hold);
  }

  /** Runs {@code step} on the milestone's hold in one transaction; 404 if it was never funded. */
  private Future<MilestoneOutcome> withHold(MilestoneRequest request, HoldStep step) {
    UUID contract;
    String milestone = request.milestoneId();
    try {
      contract = uuid(request.contractId(), "contractId");
      if (milestone == null) {
        throw Problems.invalid("milestoneId", "is required");
      }
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    return pool.withTransaction(tx -> tx.preparedQuery(HOLD).execute(Tuple.of(contract, milestone)).compose(rows -> {
          if (rows.size() == 0) {
            return Problems.<MilestoneOutcome>fail(Problems.notFound("Milestone " + milestone + " was never funded"));
          }
          try {
            return step.apply(tx, rows.iterator().next());
          } catch (ServiceException e) {
            return Future.failedFuture(e);
          }
        }))
        .recover(err -> Future.failedFuture(err instanceof Ledger.Refusal r && r.reason == LedgerRefusal.ALREADY_RESOLVED
            ? Problems.conflict("Milestone " + milestone + " is already settled") : Ledger.problem(err)));
  }

  private static UUID uuid(String value, String field) {
    try {
      return UUID.fromString(value);
    } catch (RuntimeException e) {
      throw Problems.invalid(field, "must be an id");
    }
  }
}
