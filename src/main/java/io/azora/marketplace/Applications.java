package io.azora.marketplace;

import io.azora.platform.Caller;
import io.azora.platform.Money;
import io.azora.platform.Nexus;
import io.azora.platform.OutboxRelay;
import io.azora.platform.Page;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Applications: a freelancer applies once per open job (not their own) with a proposal and a bid, scored
 * against the job by {@link Matching}; the employer lists a job's, a freelancer their own; a pending one may
 * be withdrawn. Each application emits job.applied (its employer is notified).
 */
final class Applications {

  static final int MAX_PROPOSAL = 5_000;
  private static final String COLUMNS = "a.id, a.job_id, a.freelancer_id, a.proposal, a.bid, a.status, a.match_score, a.created_at";
  /** The caller's ($1) fit with a job's skills ($2) by {@link Matching}'s formula. */
  private static final String SCORE = ("""
      SELECT coalesce(round(100 * sum(w) / cardinality($2::text[]) * REVIEWS_OF_CALLER, 1), 0) FROM (
        SELECT v.skill,""" + " " + Matching.WEIGHT + """
       AS w FROM verified_skills v WHERE v.user_id = $1 AND v.skill = ANY($2) GROUP BY v.skill) held""")
      .replace("REVIEWS_OF_CALLER", Matching.reviews("$1"));

  private final Vertx vertx;
  private final Pool pool;

  Applications(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  static JsonObject json(Row row) {
    return new JsonObject().put("id", row.getUUID("id").toString()).put("jobId", row.getUUID("job_id").toString())
        .put("freelancerId", row.getUUID("freelancer_id").toString()).put("proposal", row.getString("proposal"))
        .put("bidAmount", Money.format(row.getLong("bid"))).put("status", row.getString("status"))
        .put("matchScore", row.getBigDecimal("match_score").doubleValue())
        .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString());
  }

  Future<JsonObject> apply(Caller caller, String jobId, JsonObject request) {
    UUID job = Jobs.uuid(jobId);
    String proposal = request.getValue("proposal") instanceof String p ? p.strip() : "";
    long bid;
    try {
      if (proposal.isEmpty() || proposal.length() > MAX_PROPOSAL) {
        throw Problems.invalid("proposal", "1 to " + MAX_PROPOSAL + " characters");
      }
      bid = Money.parsePositive(request.getValue("bidAmount"), "bidAmount");
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    if (job == null) {
      return Problems.fail(Problems.notFound("No such job"));
    }
    UUID id = UUID.randomUUID();
    return pool.withTransaction(tx -> tx.preparedQuery(
                "SELECT j.employer_id, j.status, j.deadline, j.skills, j.title FROM jobs j WHERE j.id = $1 FOR SHARE")
            .execute(Tuple.of(job))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Problems.<Row>fail(Problems.notFound("No such job"));
              }
              Row row = rows.iterator().next();
              if (row.getUUID("employer_id").equals(caller.userUuid())) {
                return Problems.<Row>fail(Problems.forbidden("An employer does not apply to their own job"));
              }
              if (!"open".equals(row.getString("status")) || !row.getOffsetDateTime("deadline").isAfter(OffsetDateTime.now())) {
                return Problems.<Row>fail(Problems.of(409, "job_not_open", "The job is no longer open"));
              }
              return Future.succeededFuture(row);
            })
            .compose(jobRow -> tx.preparedQuery(SCORE)
                .execute(Tuple.tuple().addUUID(caller.userUuid()).addArrayOfString(jobRow.getArrayOfStrings("skills")))
                .compose(score -> tx.preparedQuery("""
                        INSERT INTO applications (id, job_id, freelancer_id, proposal, bid, match_score)
                        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id, freelancer_id) DO NOTHING RETURNING"""
                        + " " + COLUMNS.replace("a.", ""))
                    .execute(Tuple.of(id, job, caller.userUuid(), proposal, bid, score.iterator().next().getBigDecimal(0))))
                .compose(inserted -> {
                  if (inserted.size() == 0) {
                    return Problems.<JsonObject>fail(Problems.of(409, "already_applied", "You have applied to this job already"));
                  }
                  JsonObject application = json(inserted.iterator().next());
                  return Nexus.emit(tx, MarketplaceEvents.JOB_APPLIED, new JsonObject()
                          .put("applicationId", application.getString("id")).put("jobId", application.getString("jobId"))
                          .put("employerId", jobRow.getUUID("employer_id").toString())
                          .put("freelancerId", application.getString("freelancerId"))
                          .put("bidAmount", application.getString("bidAmount"))
                          .put("matchScore", application.getDouble("matchScore")).put("title", jobRow.getString("title")))
                      .map(application);
                })))
        .onSuccess(v -> OutboxRelay.nudge(vertx, MarketplaceEvents.SOURCE));
  }

  /** A job's applications, for its employer (or an admin): {@code {items, nextCursor}}, newest first. */
  Future<JsonObject> forJob(Caller caller, String jobId, int limit, String cursor) {
    UUID job = Jobs.uuid(jobId);
    if (job == null) {
      return Problems.fail(Problems.notFound("No such job"));
    }
    return pool.preparedQuery("SELECT employer_id FROM jobs WHERE id = $1").execute(Tuple.of(job)).compose(rows -> {
      if (rows.size() == 0) {
        return Problems.fail(Problems.notFound("No such job"));
      }
      if (!rows.iterator().next().getUUID("employer_id").equals(caller.userUuid()) && !caller.isAdmin()) {
        return Problems.fail(Problems.forbidden("Only the job's employer sees its applications"));
      }
      return page("a.job_id = $1", job, limit, cursor);
    });
  }

  /** The caller's own applications, newest first. */
  Future<JsonObject> mine(Caller caller, int limit, String cursor) {
    return page("a.freelancer_id = $1", caller.userUuid(), limit, cursor);
  }

  private Future<JsonObject> page(String filter, UUID key, int limit, String cursor) {
    int size = Math.max(1, Math.min(limit, 100));
    Tuple params = Tuple.of(key, size + 1);
    String after = "";
    if (cursor != null) {
      try {
        String[] at = Jobs.decodeCursor(cursor, 2);
        UUID id = Jobs.uuid(at[1]);
        if (id == null) {
          throw Problems.invalid("cursor", "is not a cursor this server gave");
        }
        params.addValue(Instant.parse(at[0]).atOffset(ZoneOffset.UTC)).addUUID(id);
        after = " AND (a.created_at, a.id) < ($3, $4)";
      } catch (ServiceException e) {
        return Future.failedFuture(e);
      } catch (RuntimeException e) {
        return Problems.fail(Problems.invalid("cursor", "is not a cursor this server gave"));
      }
    }
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM applications a WHERE " + filter + after
            + " ORDER BY a.created_at DESC, a.id DESC LIMIT $2")
        .execute(params).map(rows -> Page.of(rows, size, Applications::json, row -> Jobs.encodeCursor(
            row.getOffsetDateTime("created_at").toInstant().toString(), row.getUUID("id").toString())));
  }

  /** A freelancer takes back a pending application (409 once it was decided). */
  Future<JsonObject> withdraw(Caller caller, String applicationId) {
    UUID id = Jobs.uuid(applicationId);
    if (id == null) {
      return Problems.fail(Problems.notFound("No such application"));
    }
    return pool.preparedQuery("""
            UPDATE applications a SET status = CASE WHEN a.status = 'pending' THEN 'withdrawn' ELSE a.status END
            WHERE a.id = $1 AND a.freelancer_id = $2 RETURNING""" + " " + COLUMNS)
        .execute(Tuple.of(id, caller.userUuid()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Problems.fail(Problems.notFound("No such application"));
          }
          JsonObject application = json(rows.iterator().next());
          return "withdrawn".equals(application.getString("status")) ? Future.succeededFuture(application)
              : Problems.fail(Problems.of(409, "application_decided", "The application was " + application.getString("status")));
        });
  }
}
