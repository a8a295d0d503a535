package io.azora.marketplace;

import io.azora.platform.Caller;
import io.azora.platform.Nexus;
import io.azora.platform.OutboxRelay;
import io.azora.platform.Page;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Reviews: each party of a completed, cancelled or resolved contract reviews the other once (1 to 5 and a
 * comment), may edit it for 7 days, and every user's reviews are public with their average.
 */
final class Reviews {

  static final Duration EDITABLE = Duration.ofDays(7);
  static final int MAX_COMMENT = 2000;
  private static final String COLUMNS = "r.contract_id, r.reviewer_id, r.reviewee_id, r.rating, r.comment, r.created_at, r.updated_at";

  private final Vertx vertx;
  private final Pool pool;
  /** A review changes the reviewee's place in matches: the shared cache moves on. */
  private final Runnable changed;

  Reviews(Vertx vertx, Pool pool, Runnable changed) {
    this.vertx = vertx;
    this.pool = pool;
    this.changed = changed;
  }

  static JsonObject json(Row row) {
    return new JsonObject().put("contractId", row.getUUID("contract_id").toString())
        .put("reviewerId", row.getUUID("reviewer_id").toString()).put("revieweeId", row.getUUID("reviewee_id").toString())
        .put("rating", row.getInteger("rating")).put("comment", row.getString("comment"))
        .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
        .put("updatedAt", row.getOffsetDateTime("updated_at").toInstant().toString());
  }

  private record Checked(int rating, String comment, UUID contract) {
  }

  private static Checked check(JsonObject request) {
    Integer rating = request.getValue("rating") instanceof Integer r ? r : null;
    if (rating == null || rating < 1 || rating > 5) {
      throw Problems.invalid("rating", "a whole number from 1 to 5");
    }
    String comment = request.getValue("comment") instanceof String c ? c.strip() : "";
    if (comment.length() > MAX_COMMENT) {
      throw Problems.invalid("comment", "at most " + MAX_COMMENT + " characters");
    }
    return new Checked(rating, comment, null);
  }

  /** The request's rating and comment, checked, and the contract's id: or the refusal. */
  private static Future<Checked> checked(String contractId, JsonObject request) {
    try {
      Checked review = check(request);
      UUID id = Jobs.uuid(contractId);
      return id == null ? Problems.fail(Problems.notFound("No such contract"))
          : Future.succeededFuture(new Checked(review.rating(), review.comment(), id));
    } catch (io.vertx.serviceproxy.ServiceException e) {
      return Future.failedFuture(e);
    }
  }

  /** A party reviews the other once per finished contract (409 the second time). */
  Future<JsonObject> post(Caller caller, String contractId, JsonObject request) {
    return checked(contractId, request).compose(review -> post(caller, review.contract(), review));
  }

  private Future<JsonObject> post(Caller caller, UUID id, Checked review) {
    return pool.withTransaction(tx -> tx.preparedQuery("SELECT employer_id, freelancer_id, status FROM contracts WHERE id = $1")
            .execute(Tuple.of(id))
            .compose(rows -> {
              Row c = rows.size() == 0 ? null : rows.iterator().next();
              UUID me = caller.userUuid();
              if (c == null || !me.equals(c.getUUID("employer_id")) && !me.equals(c.getUUID("freelancer_id"))) {
                return Problems.<JsonObject>fail(Problems.notFound("No such contract"));
              }
              if (!java.util.List.of("completed", "cancelled", "resolved").contains(c.getString("status"))) {
                return Problems.<JsonObject>fail(Problems.of(409, "contract_not_finished",
                    "Reviews come once the contract is completed, cancelled or resolved"));
              }
              UUID other = me.equals(c.getUUID("employer_id")) ? c.getUUID("freelancer_id") : c.getUUID("employer_id");
              return tx.preparedQuery("""
                      INSERT INTO reviews (contract_id, reviewer_id, reviewee_id, rating, comment) VALUES ($1, $2, $3, $4, $5)
                      ON CONFLICT (contract_id, reviewer_id) DO NOTHING RETURNING""" + " " + COLUMNS.replace("r.", ""))
                  .execute(Tuple.of(id, me, other, review.rating(), review.comment()))
                  .compose(inserted -> {
                    if (inserted.size() == 0) {
                      return Problems.<JsonObject>fail(Problems.of(409, "already_reviewed",
                          "You have reviewed this contract; edit your review within 7 days instead"));
                    }
                    JsonObject posted = json(inserted.iterator().next());
                    return Nexus.emit(tx, MarketplaceEvents.REVIEW_POSTED, new JsonObject().put("contractId", id.toString())
                        .put("reviewerId", me.toString()).put("revieweeId", other.toString()).put("rating", review.rating()))
                        .map(posted);
                  });
            }))
        .onSuccess(v -> {
          OutboxRelay.nudge(vertx, MarketplaceEvents.SOURCE);
          changed.run();
        });
  }

  /** The reviewer edits their review within 7 days of posting it (409 after). */
  Future<JsonObject> edit(Caller caller, String contractId, JsonObject request) {
    return checked(contractId, request).compose(review -> edit(caller, review.contract(), review));
  }

  private Future<JsonObject> edit(Caller caller, UUID id, Checked review) {
    return pool.preparedQuery("""
            UPDATE reviews r SET rating = $3, comment = $4, updated_at = now()
            WHERE contract_id = $1 AND reviewer_id = $2 AND created_at > now() - make_interval(days => $5) RETURNING"""
            + " " + COLUMNS)
        .execute(Tuple.of(id, caller.userUuid(), review.rating(), review.comment(), (int) EDITABLE.toDays()))
        .compose(rows -> {
          if (rows.size() > 0) {
            changed.run();
            return Future.succeededFuture(json(rows.iterator().next()));
          }
          return pool.preparedQuery("SELECT 1 FROM reviews WHERE contract_id = $1 AND reviewer_id = $2")
              .execute(Tuple.of(id, caller.userUuid()))
              .compose(found -> found.size() == 0 ? Problems.fail(Problems.notFound("No such review"))
                  : Problems.fail(Problems.of(409, "review_locked", "Reviews can be edited for 7 days only")));
        });
  }

  /** A user's reviews: {@code {average, count, items, nextCursor}}, newest first. */
  Future<JsonObject> of(String userId, int limit, String cursor) {
    UUID user = Jobs.uuid(userId);
    if (user == null) {
      return Problems.fail(Problems.notFound("No such user"));
    }
    int size = Math.max(1, Math.min(limit, 100));
    Tuple params = Tuple.of(user, size + 1);
    String after = "";
    if (cursor != null) {
      try {
        String[] at = Jobs.decodeCursor(cursor, 2);
        params.addValue(Instant.parse(at[0]).atOffset(ZoneOffset.UTC)).addUUID(UUID.fromString(at[1]));
        after = " AND (r.created_at, r.contract_id) < ($3, $4)";
      } catch (RuntimeException e) {
        return Problems.fail(Problems.invalid("cursor", "is not a cursor this server gave"));
      }
    }
    Future<io.vertx.sqlclient.RowSet<Row>> page = pool.preparedQuery("SELECT " + COLUMNS + " FROM reviews r WHERE r.reviewee_id = $1"
        + after + " ORDER BY r.created_at DESC, r.contract_id DESC LIMIT $2").execute(params);
    Future<io.vertx.sqlclient.RowSet<Row>> summary = pool.preparedQuery(
        "SELECT round(avg(rating), 2) AS average, count(*) AS count FROM reviews WHERE reviewee_id = $1").execute(Tuple.of(user));
    return Future.all(page, summary).map(both -> {
      Row s = summary.result().iterator().next();
      return Page.of(page.result(), size, Reviews::json, row -> Jobs.encodeCursor(
              row.getOffsetDateTime("created_at").toInstant().toString(), row.getUUID("contract_id").toString()))
          .put("average", s.getBigDecimal("average") == null ? null : s.getBigDecimal("average").doubleValue())
          .put("count", s.getLong("count"));
    });
  }
}
