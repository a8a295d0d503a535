package io.azora.marketplace;

import io.azora.finance.EscrowFunding;
import io.azora.finance.EscrowService;
import io.azora.finance.MilestoneRequest;
import io.azora.platform.Caller;
import io.azora.platform.Money;
import io.azora.platform.Nexus;
import io.azora.platform.OutboxRelay;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Contracts and their milestones (accepting, funding, submitting, approving, auto-release; cancelling and
 * disputes are {@link Settlements}), with the money moved only by finance's escrow over the bus. Each step that
 * moves money is a saga of three: the intent is committed here first ({@code funding}, {@code releasing}),
 * then finance is asked (its calls are idempotent by contract and milestone), then the outcome is committed.
 * An answer that never comes leaves the intent, which {@link #recover} drives to its end later, on whichever
 * node: never money moved without the contract's state, nor the state without the money.
 */
final class Contracts {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Contracts.class);

  /** An intent left this long is another node's or a lost answer's: it is driven again. */
  static final long STALE_INTENT_MS = 10_000;

  private final Vertx vertx;
  private final Pool pool;
  private final Supplier<EscrowService> escrow;
  /** A submitted milestone the employer neither approves nor disputes is released after this. */
  private final long autoReleaseSeconds;
  /** Called when a job is filled: the open-job lists change. */
  private final Runnable jobsChanged;
  /** Cancelling and disputes, whose unfinished steps {@link #recover} drives too. */
  final Settlements settlements;

  Contracts(Vertx vertx, Pool pool, Supplier<EscrowService> escrow, long autoReleaseSeconds, Runnable jobsChanged) {
    this.vertx = vertx;
    this.pool = pool;
    this.escrow = escrow;
    this.autoReleaseSeconds = autoReleaseSeconds;
    this.jobsChanged = jobsChanged;
    this.settlements = new Settlements(vertx, pool, escrow);
  }

  // ---- reading ----

  private static final String CONTRACT = "SELECT c.* FROM contracts c WHERE c.id = $1";
  private static final String MILESTONES = "SELECT m.* FROM contract_milestones m WHERE m.contract_id = $1 ORDER BY m.position";

  static Future<JsonObject> load(SqlClient db, UUID id) {
    return Future.all(db.preparedQuery(CONTRACT).execute(Tuple.of(id)), db.preparedQuery(MILESTONES).execute(Tuple.of(id)))
        .compose(both -> {
          RowSet<Row> contract = both.resultAt(0);
          if (contract.size() == 0) {
            return Problems.fail(Problems.notFound("No such contract"));
          }
          return Future.succeededFuture(json(contract.iterator().next(), both.resultAt(1)));
        });
  }

  static JsonObject json(Row c, RowSet<Row> milestones) {
    JsonArray items = new JsonArray();
    for (Row m : milestones) {
      items.add(new JsonObject().put("id", m.getString("id")).put("title", m.getString("title"))
          .put("amount", Money.format(m.getLong("amount"))).put("status", m.getString("status"))
          .put("submittedAt", m.getOffsetDateTime("submitted_at") == null ? null
              : m.getOffsetDateTime("submitted_at").toInstant().toString())
          .put("releasedAt", m.getOffsetDateTime("released_at") == null ? null
              : m.getOffsetDateTime("released_at").toInstant().toString()));
    }
    return new JsonObject().put("id", c.getUUID("id").toString()).put("jobId", c.getUUID("job_id").toString())
        .put("applicationId", c.getUUID("application_id").toString())
        .put("employerId", c.getUUID("employer_id").toString()).put("freelancerId", c.getUUID("freelancer_id").toString())
        .put("status", c.getString("status")).put("milestones", items)
        .put("dispute", c.getUUID("disputed_by") == null ? null : new JsonObject()
            .put("by", c.getUUID("disputed_by").toString()).put("reason", c.getString("dispute_reason"))
            .put("freelancerShare", c.getInteger("freelancer_share")))
        .put("createdAt", c.getOffsetDateTime("created_at").toInstant().toString());
  }

  /** A contract, for its parties (and admins) only: 404 for anyone else, as if it did not exist. */
  Future<JsonObject> get(Caller caller, String contractId) {
    UUID id = Jobs.uuid(contractId);
    if (id == null) {
      return Problems.fail(Problems.notFound("No such contract"));
    }
    return load(pool, id).compose(contract -> party(caller, contract) ? Future.succeededFuture(contract)
        : Problems.fail(Problems.notFound("No such contract")));
  }

  static boolean party(Caller caller, JsonObject contract) {
    return caller.isAdmin() || caller.userId().equals(contract.getString("employerId"))
        || caller.userId().equals(contract.getString("freelancerId"));
  }

  // ---- accepting: the contract, funded ----

  /**
   * The employer accepts an application: the contract is written ({@code funding}), finance holds every
   * milestone, and the contract becomes {@code active} (201) with the other applications rejected and the
   * job filled; when the employer is short (402) there is no contract. Accepting again answers the same
   * contract, or drives a funding left unfinished.
   */
  Future<JsonObject> accept(Caller caller, String applicationId) {
    UUID application = Jobs.uuid(applicationId);
    if (application == null) {
      return Problems.fail(Problems.notFound("No such application"));
    }
    return pool.withTransaction(tx -> tx.preparedQuery("""
                SELECT a.id, a.job_id, a.freelancer_id, a.status, j.employer_id, j.status AS job_status, j.deadline,
                       j.milestones, c.id AS contract_id, c.application_id AS contract_application
                FROM applications a JOIN jobs j ON j.id = a.job_id LEFT JOIN contracts c ON c.job_id = a.job_id
                WHERE a.id = $1 FOR UPDATE OF a, j""")
            .execute(Tuple.of(application))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Problems.<UUID>fail(Problems.notFound("No such application"));
              }
              Row row = rows.iterator().next();
              if (!row.getUUID("employer_id").equals(caller.userUuid())) {
                return Problems.<UUID>fail(row.getUUID("freelancer_id").equals(caller.userUuid())
                    ? Problems.forbidden("Only the job's employer accepts an application")
                    : Problems.notFound("No such application"));
              }
              UUID existing = row.getUUID("contract_id");
              if (existing != null) {
                return application.equals(row.getUUID("contract_application")) ? Future.succeededFuture(existing)
                    : Problems.<UUID>fail(Problems.of(409, "job_filled", "Another application was accepted for this job"));
              }
              if (!"pending".equals(row.getString("status"))) {
                return Problems.<UUID>fail(Problems.of(409, "application_decided", "The application was " + row.getString("status")));
              }
              if (!"open".equals(row.getString("job_status"))) {
                return Problems.<UUID>fail(Problems.of(409, "job_not_open", "The job is no longer open"));
              }
              UUID contract = UUID.randomUUID();
              List<Tuple> milestones = new ArrayList<>();
              JsonArray planned = (JsonArray) row.getValue("milestones");
              for (int i = 0; i < planned.size(); i++) {
                JsonObject m = planned.getJsonObject(i);
                milestones.add(Tuple.of(contract, m.getString("id"), i, m.getString("title"), m.getLong("amount")));
              }
              return tx.preparedQuery("""
                      INSERT INTO contracts (id, job_id, application_id, employer_id, freelancer_id, status)
                      VALUES ($1, $2, $3, $4, $5, 'funding')""")
                  .execute(Tuple.of(contract, row.getUUID("job_id"), application, row.getUUID("employer_id"),
                      row.getUUID("freelancer_id")))
                  .compose(v -> tx.preparedQuery("""
                      INSERT INTO contract_milestones (contract_id, id, position, title, amount, status)
                      VALUES ($1, $2, $3, $4, $5, 'pending')""").executeBatch(milestones))
                  .map(contract);
            }))
        .compose(this::fund);
  }

  /** Asks finance to hold the contract's milestones, then commits the outcome (or leaves the intent). */
  private Future<JsonObject> fund(UUID contractId) {
    return load(pool, contractId).compose(contract -> {
      if (!"funding".equals(contract.getString("status"))) {
        return Future.succeededFuture(contract);  // already settled (a retry, or the recovery got there first)
      }
      List<EscrowFunding.Milestone> milestones = new ArrayList<>();
      contract.getJsonArray("milestones").forEach(m -> milestones.add(
          new EscrowFunding.Milestone(((JsonObject) m).getString("id"), ((JsonObject) m).getString("amount"))));
      return escrow.get().fund(new EscrowFunding(contractId.toString(), contract.getString("employerId"), milestones))
          .transform(ar -> {
            if (ar.succeeded()) {
              return funded(contractId);
            }
            if (ar.cause() instanceof ServiceException se && se.failureCode() >= 400 && se.failureCode() < 500) {
              // Finance refused (short of AZR, say): nothing is held, so there is no contract.
              return pool.preparedQuery("DELETE FROM contracts WHERE id = $1 AND status = 'funding'")
                  .execute(Tuple.of(contractId)).compose(v -> Future.failedFuture(ar.cause()));
            }
            log.warn("Funding contract {} has no answer from finance yet; it will be driven again", contractId, ar.cause());
            return Problems.fail(Problems.of(503, "funding_pending",
                "Finance did not answer; the contract is being funded and will be settled. Accept again to see it."));
          });
    });
  }

  /** Finance holds the money: the contract is active, the job filled, the other applications rejected. */
  private Future<JsonObject> funded(UUID contractId) {
    return pool.withTransaction(tx -> tx.preparedQuery("""
                UPDATE contracts SET status = 'active', updated_at = now() WHERE id = $1 AND status = 'funding'
                RETURNING job_id, application_id, employer_id, freelancer_id""")
            .execute(Tuple.of(contractId))
            .compose(rows -> {
              if (rows.size() == 0) {
                return load(tx, contractId);  // settled meanwhile
              }
              Row c = rows.iterator().next();
              return tx.preparedQuery("UPDATE contract_milestones SET status = 'funded', updated_at = now() WHERE contract_id = $1")
                  .execute(Tuple.of(contractId))
                  .compose(v -> tx.preparedQuery("UPDATE applications SET status = CASE WHEN id = $2 THEN 'accepted' ELSE 'rejected' END"
                      + " WHERE job_id = $1 AND status = 'pending'").execute(Tuple.of(c.getUUID("job_id"), c.getUUID("application_id"))))
                  .compose(v -> tx.preparedQuery("UPDATE jobs SET status = 'filled', updated_at = now() WHERE id = $1")
                      .execute(Tuple.of(c.getUUID("job_id"))))
                  .compose(v -> load(tx, contractId))
                  .compose(contract -> Nexus.emit(tx, MarketplaceEvents.CONTRACT_FUNDED, new JsonObject()
                          .put("contractId", contractId.toString()).put("jobId", contract.getString("jobId"))
                          .put("employerId", contract.getString("employerId"))
                          .put("freelancerId", contract.getString("freelancerId"))
                          .put("amount", total(contract)))
                      .map(contract));
            }))
        .onSuccess(v -> {
          OutboxRelay.nudge(vertx, MarketplaceEvents.SOURCE);
          jobsChanged.run();
        });
  }

  private static String total(JsonObject contract) {
    long sum = 0;
    for (Object m : contract.getJsonArray("milestones")) {
      sum += Money.parse(((JsonObject) m).getString("amount"), "amount");
    }
    return Money.format(sum);
  }

  // ---- milestones ----

  /** The freelancer submits a funded milestone (or one the employer asked to change). */
  Future<JsonObject> submit(Caller caller, String contractId, String milestoneId) {
    return step(caller, contractId, milestoneId, "freelancer", List.of("funded", "changes_requested"), "submitted",
        "submitted_at = now(), ");
  }

  /** The employer asks for changes to a submitted milestone. */
  Future<JsonObject> requestChanges(Caller caller, String contractId, String milestoneId) {
    return step(caller, contractId, milestoneId, "employer", List.of("submitted"), "changes_requested", "");
  }

  /**
   * The employer approves a submitted milestone: it is marked {@code releasing}, finance pays the freelancer
   * the amount less the platform fee, and it is {@code released}. Parallel approvals: one marks it, the
   * others find it releasing or released; finance pays once whatever happens.
   */
  Future<JsonObject> approve(Caller caller, String contractId, String milestoneId) {
    return step(caller, contractId, milestoneId, "employer", List.of("submitted"), "releasing", "")
        .compose(contract -> release(Jobs.uuid(contractId), milestoneId));
  }

  /** One milestone's move from one of {@code from} to {@code to}, by the party named (409 from elsewhere). */
  private Future<JsonObject> step(Caller caller, String contractId, String milestoneId, String by, List<String> from,
                                  String to, String alsoSet) {
    UUID id = Jobs.uuid(contractId);
    if (id == null || milestoneId == null) {
      return Problems.fail(Problems.notFound("No such contract"));
    }
    return pool.withTransaction(tx -> load(tx, id).compose(contract -> {
      if (!party(caller, contract)) {
        return Problems.<JsonObject>fail(Problems.notFound("No such contract"));
      }
      if (!caller.userId().equals(contract.getString(by + "Id"))) {
        return Problems.<JsonObject>fail(Problems.forbidden("Only the contract's " + by + " may do this"));
      }
      if (!"active".equals(contract.getString("status"))) {
        return Problems.<JsonObject>fail(Problems.of(409, "contract_not_active", "The contract is " + contract.getString("status")));
      }
      return tx.preparedQuery("UPDATE contract_milestones SET status = $3, " + alsoSet + "updated_at = now()"
              + " WHERE contract_id = $1 AND id = $2 AND status = ANY($4) RETURNING status")
          .execute(Tuple.of(id, milestoneId, to, from.toArray(String[]::new)))
          .compose(rows -> {
            if (rows.size() > 0) {
              return load(tx, id);
            }
            boolean exists = contract.getJsonArray("milestones").stream()
                .anyMatch(m -> milestoneId.equals(((JsonObject) m).getString("id")));
            return exists ? Problems.<JsonObject>fail(Problems.of(409, "milestone_state",
                    "The milestone is " + status(contract, milestoneId) + ", not " + String.join(" or ", from)))
                : Problems.<JsonObject>fail(Problems.notFound("No such milestone"));
          });
    }));
  }

  private static String status(JsonObject contract, String milestoneId) {
    return contract.getJsonArray("milestones").stream().map(m -> (JsonObject) m)
        .filter(m -> milestoneId.equals(m.getString("id"))).map(m -> m.getString("status")).findFirst().orElse("?");
  }

  /** Asks finance to release a milestone marked releasing, then commits it released (or leaves the intent). */
  private Future<JsonObject> release(UUID contractId, String milestoneId) {
    return load(pool, contractId).compose(contract -> escrow.get()
        .release(new MilestoneRequest(contractId.toString(), milestoneId, contract.getString("freelancerId")))
        .transform(ar -> {
          if (ar.succeeded() || ar.cause() instanceof ServiceException se && se.failureCode() == 409) {
            // 409: finance settled it already (a retry): the money moved, so the state follows.
            return released(contractId, milestoneId, ar.succeeded() ? ar.result().fee() : null);
          }
          log.warn("Releasing milestone {} of {} has no answer from finance yet; it will be driven again", milestoneId,
              contractId, ar.cause());
          return Problems.fail(Problems.of(503, "release_pending",
              "Finance did not answer; the milestone is being released and will be settled."));
        }));
  }

  private Future<JsonObject> released(UUID contractId, String milestoneId, String fee) {
    return pool.withTransaction(tx -> tx.preparedQuery("""
                UPDATE contract_milestones SET status = 'released', released_at = now(), updated_at = now()
                WHERE contract_id = $1 AND id = $2 AND status = 'releasing' RETURNING amount""")
            .execute(Tuple.of(contractId, milestoneId))
            .compose(rows -> {
              if (rows.size() == 0) {
                return load(tx, contractId);  // released meanwhile
              }
              long amount = rows.iterator().next().getLong("amount");
              return tx.preparedQuery("""
                      UPDATE contracts SET status = 'completed', updated_at = now() WHERE id = $1 AND status = 'active'
                        AND NOT EXISTS (SELECT 1 FROM contract_milestones WHERE contract_id = $1 AND status <> 'released')""")
                  .execute(Tuple.of(contractId))
                  .compose(v -> load(tx, contractId))
                  .compose(contract -> Nexus.emit(tx, MarketplaceEvents.MILESTONE_RELEASED, new JsonObject()
                          .put("contractId", contractId.toString()).put("milestoneId", milestoneId)
                          .put("employerId", contract.getString("employerId"))
                          .put("freelancerId", contract.getString("freelancerId"))
                          .put("amount", Money.format(amount)).put("fee", fee))
                      .map(contract));
            }))
        .onSuccess(v -> OutboxRelay.nudge(vertx, MarketplaceEvents.SOURCE));
  }


  // ---- recovery ----

  /**
   * Drives the intents whose answer was lost (finance down or slow, a node gone): fundings, releases,
   * refunds and dispute splits
   * older than {@link #STALE_INTENT_MS}, each claimed by one node at a time (SKIP LOCKED, then its clock
   * moved on), and settled as if answered now.
   */
  Future<Void> recover() {
    Future<Void> fundings = pool.preparedQuery("""
            UPDATE contracts SET updated_at = now() WHERE id IN (
              SELECT id FROM contracts WHERE status IN ('funding', 'resolving') AND updated_at < now() - make_interval(secs => $1)
              ORDER BY updated_at LIMIT 20 FOR UPDATE SKIP LOCKED) RETURNING id, status""")
        .execute(Tuple.of(STALE_INTENT_MS / 1000.0))
        .compose(rows -> {
          List<Future<JsonObject>> all = new ArrayList<>();
          rows.forEach(r -> all.add("resolving".equals(r.getString("status")) ? settlements.split(r.getUUID("id")) : fund(r.getUUID("id"))));
          return Future.join(all).mapEmpty();
        });
    Future<Void> releases = pool.preparedQuery("""
            UPDATE contract_milestones m SET updated_at = now() FROM (
              SELECT contract_id, id FROM contract_milestones WHERE status IN ('releasing', 'refunding')
                AND updated_at < now() - make_interval(secs => $1) ORDER BY updated_at LIMIT 20 FOR UPDATE SKIP LOCKED) s
            WHERE m.contract_id = s.contract_id AND m.id = s.id RETURNING m.contract_id, m.id, m.status""")
        .execute(Tuple.of(STALE_INTENT_MS / 1000.0))
        .compose(rows -> {
          List<Future<JsonObject>> all = new ArrayList<>();
          rows.forEach(r -> all.add("refunding".equals(r.getString("status")) ? settlements.refund(r.getUUID("contract_id"), r.getString("id"))
              : release(r.getUUID("contract_id"), r.getString("id"))));
          return Future.join(all).mapEmpty();
        });
    return Future.join(fundings, releases, autoRelease()).mapEmpty();
  }

  /**
   * Releases the milestones submitted longer than the auto-release time ago in contracts still active (a
   * dispute stops it). Every node runs this; each milestone is claimed by one of them (its move from
   * submitted to releasing, under SKIP LOCKED), and finance pays once whatever else happens.
   */
  Future<Void> autoRelease() {
    return pool.preparedQuery("""
            UPDATE contract_milestones m SET status = 'releasing', updated_at = now() FROM (
              SELECT d.contract_id, d.id FROM contract_milestones d JOIN contracts c ON c.id = d.contract_id
              WHERE d.status = 'submitted' AND c.status = 'active'
                AND d.submitted_at < now() - make_interval(secs => $1)
              ORDER BY d.submitted_at LIMIT 20 FOR UPDATE OF d SKIP LOCKED) due
            WHERE m.contract_id = due.contract_id AND m.id = due.id AND m.status = 'submitted'
            RETURNING m.contract_id, m.id""")
        .execute(Tuple.of((double) autoReleaseSeconds))
        .compose(rows -> {
          List<Future<JsonObject>> all = new ArrayList<>();
          rows.forEach(r -> {
            log.info("Milestone {} of contract {} was submitted {} s ago without an answer: released", r.getString("id"),
                r.getUUID("contract_id"), autoReleaseSeconds);
            all.add(release(r.getUUID("contract_id"), r.getString("id")));
          });
          return Future.join(all).mapEmpty();
        });
  }
}
