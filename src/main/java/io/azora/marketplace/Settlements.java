package io.azora.marketplace;

import io.azora.finance.EscrowService;
import io.azora.finance.EscrowSplit;
import io.azora.finance.MilestoneRequest;
import io.azora.platform.Caller;
import io.azora.platform.Nexus;
import io.azora.platform.OutboxRelay;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * How a contract ends other than by its last release: cancelled by either party (funded, unsubmitted
 * milestones refunded), or disputed and then resolved by an admin's split. The money steps are sagas like
 * {@link Contracts}' (intent, finance, outcome), and its recovery drives those left unanswered.
 */
final class Settlements {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Settlements.class);

  private final Vertx vertx;
  private final Pool pool;
  private final Supplier<EscrowService> escrow;

  Settlements(Vertx vertx, Pool pool, Supplier<EscrowService> escrow) {
    this.vertx = vertx;
    this.pool = pool;
    this.escrow = escrow;
  }

  /**
   * Either party cancels: every funded milestone not yet submitted is refunded to the employer ('refunding',
   * then finance voids the hold, then 'refunded'), and the contract is cancelled. A submitted milestone must
   * be approved or disputed first (409).
   */
  Future<JsonObject> cancel(Caller caller, String contractId) {
    UUID id = Jobs.uuid(contractId);
    if (id == null) {
      return Problems.fail(Problems.notFound("No such contract"));
    }
    return pool.withTransaction(tx -> active(tx, caller, id).compose(contract -> {
          if (contract.getJsonArray("milestones").stream().anyMatch(m -> List.of("submitted", "releasing")
              .contains(((JsonObject) m).getString("status")))) {
            return Problems.<List<String>>fail(Problems.of(409, "milestone_submitted",
                "A submitted milestone must be approved or disputed before the contract is cancelled"));
          }
          return tx.preparedQuery("UPDATE contracts SET status = 'cancelled', updated_at = now() WHERE id = $1")
              .execute(Tuple.of(id))
              .compose(v -> tx.preparedQuery("""
                  UPDATE contract_milestones SET status = 'refunding', updated_at = now()
                  WHERE contract_id = $1 AND status IN ('funded', 'changes_requested') RETURNING id""").execute(Tuple.of(id)))
              .map(rows -> {
                List<String> refunding = new ArrayList<>();
                rows.forEach(r -> refunding.add(r.getString("id")));
                return refunding;
              });
        }))
        .compose(refunding -> {
          List<Future<JsonObject>> refunds = new ArrayList<>();
          refunding.forEach(milestone -> refunds.add(refund(id, milestone)));
          return Future.all(refunds).compose(v -> Contracts.load(pool, id));
        });
  }

  /** The contract if {@code caller} is a party and it is active (404, 409 otherwise), locked. */
  private Future<JsonObject> active(SqlClient tx, Caller caller, UUID id) {
    return tx.preparedQuery("SELECT status FROM contracts WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
        .compose(rows -> rows.size() == 0 ? Problems.<JsonObject>fail(Problems.notFound("No such contract")) : Contracts.load(tx, id))
        .compose(contract -> {
          if (!Contracts.party(caller, contract) || !caller.userId().equals(contract.getString("employerId"))
              && !caller.userId().equals(contract.getString("freelancerId"))) {
            return Problems.fail(Problems.notFound("No such contract"));
          }
          if (!"active".equals(contract.getString("status"))) {
            return Problems.fail(Problems.of(409, "contract_not_active", "The contract is " + contract.getString("status")));
          }
          return Future.succeededFuture(contract);
        });
  }

  /** Asks finance to return a milestone's hold to the employer, then commits it refunded (or leaves the intent). */
  Future<JsonObject> refund(UUID contractId, String milestoneId) {
    return Contracts.load(pool, contractId).compose(contract -> escrow.get()
        .refund(new MilestoneRequest(contractId.toString(), milestoneId, contract.getString("freelancerId")))
        .transform(ar -> {
          if (ar.succeeded() || ar.cause() instanceof ServiceException se && se.failureCode() == 409) {
            return pool.preparedQuery("""
                    UPDATE contract_milestones SET status = 'refunded', updated_at = now()
                    WHERE contract_id = $1 AND id = $2 AND status = 'refunding'""")
                .execute(Tuple.of(contractId, milestoneId)).compose(v -> Contracts.load(pool, contractId));
          }
          log.warn("Refunding milestone {} of {} has no answer from finance yet; it will be driven again", milestoneId,
              contractId, ar.cause());
          return Contracts.load(pool, contractId);  // the contract shows the milestone refunding until it is done
        }));
  }

  /** Either party disputes an active contract: nothing moves until an admin resolves it. */
  Future<JsonObject> dispute(Caller caller, String contractId, String reason) {
    UUID id = Jobs.uuid(contractId);
    String why = reason == null ? "" : reason.strip();
    if (id == null) {
      return Problems.fail(Problems.notFound("No such contract"));
    }
    if (why.isEmpty() || why.length() > 2000) {
      return Problems.fail(Problems.invalid("reason", "1 to 2000 characters"));
    }
    return pool.withTransaction(tx -> active(tx, caller, id)
            .compose(contract -> tx.preparedQuery("""
                    UPDATE contracts SET status = 'disputed', disputed_by = $2, dispute_reason = $3, updated_at = now()
                    WHERE id = $1""").execute(Tuple.of(id, caller.userUuid(), why)))
            .compose(v -> Contracts.load(tx, id))
            .compose(contract -> Nexus.emit(tx, MarketplaceEvents.CONTRACT_DISPUTED, new JsonObject()
                    .put("contractId", id.toString()).put("employerId", contract.getString("employerId"))
                    .put("freelancerId", contract.getString("freelancerId")).put("disputedBy", caller.userId())
                    .put("reason", why))
                .map(contract)))
        .onSuccess(v -> OutboxRelay.nudge(vertx, MarketplaceEvents.SOURCE));
  }

  /**
   * An admin resolves a dispute: of everything still held, {@code freelancerShare} percent goes to the
   * freelancer (less the fee), the rest back to the employer ('resolving', finance splits, 'resolved').
   */
  Future<JsonObject> resolve(Caller caller, String contractId, int freelancerShare) {
    UUID id = Jobs.uuid(contractId);
    if (!caller.isAdmin()) {
      return Problems.fail(Problems.forbidden("Only an admin resolves a dispute"));
    }
    if (id == null) {
      return Problems.fail(Problems.notFound("No such contract"));
    }
    if (freelancerShare < 0 || freelancerShare > 100) {
      return Problems.fail(Problems.invalid("freelancerShare", "0 to 100"));
    }
    return pool.preparedQuery("""
            UPDATE contracts SET status = 'resolving', freelancer_share = $2, updated_at = now()
            WHERE id = $1 AND status = 'disputed' RETURNING id""")
        .execute(Tuple.of(id, freelancerShare))
        .compose(rows -> rows.size() > 0 ? split(id)
            : Contracts.load(pool, id).compose(contract -> Problems.fail(Problems.of(409, "not_disputed",
                "The contract is " + contract.getString("status")))));
  }

  /** Asks finance to split what is held, then commits the contract resolved (or leaves the intent). */
  Future<JsonObject> split(UUID contractId) {
    return pool.preparedQuery(
            "SELECT employer_id, freelancer_id, freelancer_share FROM contracts WHERE id = $1 AND status = 'resolving'")
        .execute(Tuple.of(contractId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Contracts.load(pool, contractId);
          }
          Row row = rows.iterator().next();
          return escrow.get().split(new EscrowSplit(contractId.toString(), row.getUUID("freelancer_id").toString(),
                  row.getInteger("freelancer_share")))
              .transform(ar -> {
                if (ar.succeeded() || ar.cause() instanceof ServiceException se && se.failureCode() == 409) {
                  return pool.withTransaction(tx -> tx.preparedQuery(
                          "UPDATE contracts SET status = 'resolved', updated_at = now() WHERE id = $1 AND status = 'resolving'")
                      .execute(Tuple.of(contractId))
                      .compose(updated -> updated.rowCount() == 0 ? Future.succeededFuture()  // another node finished it
                          : tx.preparedQuery("""
                              UPDATE contract_milestones SET status = 'split', updated_at = now()
                              WHERE contract_id = $1 AND status IN ('funded', 'submitted', 'changes_requested')""")
                          .execute(Tuple.of(contractId))
                          .compose(v -> Nexus.emit(tx, MarketplaceEvents.CONTRACT_RESOLVED, new JsonObject()
                              .put("contractId", contractId.toString())
                              .put("employerId", row.getUUID("employer_id").toString())
                              .put("freelancerId", row.getUUID("freelancer_id").toString())
                              .put("freelancerShare", row.getInteger("freelancer_share")))))
                      .compose(v -> Contracts.load(tx, contractId)))
                      .onSuccess(v -> OutboxRelay.nudge(vertx, MarketplaceEvents.SOURCE));
                }
                log.warn("Splitting contract {} has no answer from finance yet; it will be driven again", contractId,
                    ar.cause());
                return Problems.fail(Problems.of(503, "resolution_pending",
                    "Finance did not answer; the resolution is being settled."));
              });
        });
  }
}
