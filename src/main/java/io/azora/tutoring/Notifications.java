package io.azora.tutoring;

import io.azora.finance.FinanceEvents;
import io.azora.marketplace.MarketplaceEvents;
import io.azora.platform.Caller;
import io.azora.platform.DomainEvent;
import io.azora.platform.EventType;
import io.azora.platform.Ids;
import io.azora.platform.Page;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;

/**
 * A user's notifications, made from other domains' events: stored (so nothing is missed while offline;
 * the id follows from the event, so a redelivery stores nothing twice) and pushed to the user's sockets
 * on whichever gateway holds them ({@link TutoringService#NOTIFICATIONS_ADDRESS}, and
 * {@link TutoringService#USER_NOTIFICATIONS} for event-bus bridge clients). The push happens as the row is
 * written: a redelivered event may push the same id again, which clients treat as one.
 */
final class Notifications {

  /** What a notification is about; the web client and bridge clients switch on these words. */
  static final String WALLET_CREDITED = "wallet.credited";
  static final String REWARD_MINED = "reward.mined";
  static final String COURSE_ENROLLED = "course.enrolled";
  static final String APPLICATION_RECEIVED = "application.received";
  static final String CONTRACT_FUNDED = "contract.funded";
  static final String MILESTONE_RELEASED = "milestone.released";
  static final String CONTRACT_DISPUTED = "contract.disputed";
  static final String CONTRACT_RESOLVED = "contract.resolved";
  static final String REVIEW_RECEIVED = "review.received";

  /** Finance's events this keeps notifications of (education's: course.enrolled). */
  static final Set<EventType> FROM_FINANCE = Set.of(
      FinanceEvents.TRANSFER_COMPLETED, FinanceEvents.PAYMENT_COMPLETED, FinanceEvents.TOKENS_MINED);

  /** Unread counts stop at this (the client shows "999+"), so counting is bounded. */
  static final int MAX_UNREAD_COUNTED = 999;

  private static final String INSERT = """
      INSERT INTO notifications (id, user_id, kind, data) VALUES ($1, $2, $3, $4)
      ON CONFLICT (id) DO NOTHING RETURNING created_at""";

  private final Pool pool;

  Notifications(Pool pool) {
    this.pool = pool;
  }

  /** Nexus: finance's transfer.completed, payment.completed and tokens.mined. */
  static Future<Void> onFinanceEvent(Vertx vertx, SqlClient tx, DomainEvent event) {
    JsonObject data = event.data();
    if (FinanceEvents.TRANSFER_COMPLETED.name().equals(event.type())) {
      return store(vertx, tx, event, data.getString("toUserId"), WALLET_CREDITED, new JsonObject()
          .put("amount", data.getString("amount")).put("fromUserId", data.getString("fromUserId"))
          .put("reason", data.getString("reason")).put("transferId", data.getString("transferId")));
    }
    if (FinanceEvents.PAYMENT_COMPLETED.name().equals(event.type())) {
      return store(vertx, tx, event, data.getString("userId"), WALLET_CREDITED, new JsonObject()
          .put("amount", data.getString("azrAmount")).put("reason", "purchase")
          .put("transferId", data.getString("transferId")));
    }
    String tokens = data.getString("tokens", "0");
    if (tokens.matches("0(\\.0*)?")) {
      return Future.succeededFuture();  // nothing was minted (a cap): nothing to tell
    }
    return store(vertx, tx, event, data.getString("userId"), REWARD_MINED, new JsonObject()
        .put("amount", tokens).put("activityType", data.getString("activityType"))
        .put("activityId", data.getString("activityId")).put("rewardId", data.getString("rewardId")));
  }

  /** Nexus: education's course.enrolled, told to the learner. */
  static Future<Void> onEnrolled(Vertx vertx, SqlClient tx, DomainEvent event) {
    JsonObject data = event.data();
    return store(vertx, tx, event, data.getString("studentId"), COURSE_ENROLLED, new JsonObject()
        .put("courseId", data.getString("courseId")).put("price", data.getString("price")));
  }

  /**
   * Nexus: the marketplace's events: an application told to the employer, a contract and a payment to the
   * freelancer, a dispute to the other party, its resolution to both, a review to the one reviewed.
   */
  static Future<Void> onMarketplaceEvent(Vertx vertx, SqlClient tx, DomainEvent event) {
    JsonObject data = event.data();
    if (MarketplaceEvents.CONTRACT_DISPUTED.name().equals(event.type())) {
      String other = data.getString("employerId", "").equals(data.getString("disputedBy"))
          ? data.getString("freelancerId") : data.getString("employerId");
      return store(vertx, tx, event, other, CONTRACT_DISPUTED, new JsonObject()
          .put("contractId", data.getString("contractId")).put("disputedBy", data.getString("disputedBy"))
          .put("reason", data.getString("reason")));
    }
    if (MarketplaceEvents.CONTRACT_RESOLVED.name().equals(event.type())) {
      JsonObject resolved = new JsonObject().put("contractId", data.getString("contractId"))
          .put("freelancerShare", data.getInteger("freelancerShare"));
      return store(vertx, tx, event, data.getString("employerId"), CONTRACT_RESOLVED, resolved)
          .compose(v -> store(vertx, tx, event, data.getString("freelancerId"), CONTRACT_RESOLVED, resolved.copy()));
    }
    if (MarketplaceEvents.REVIEW_POSTED.name().equals(event.type())) {
      return store(vertx, tx, event, data.getString("revieweeId"), REVIEW_RECEIVED, new JsonObject()
          .put("contractId", data.getString("contractId")).put("reviewerId", data.getString("reviewerId"))
          .put("rating", data.getInteger("rating")));
    }
    if (MarketplaceEvents.CONTRACT_FUNDED.name().equals(event.type())) {
      return store(vertx, tx, event, data.getString("freelancerId"), CONTRACT_FUNDED, new JsonObject()
          .put("contractId", data.getString("contractId")).put("jobId", data.getString("jobId"))
          .put("amount", data.getString("amount")));
    }
    if (MarketplaceEvents.MILESTONE_RELEASED.name().equals(event.type())) {
      return store(vertx, tx, event, data.getString("freelancerId"), MILESTONE_RELEASED, new JsonObject()
          .put("contractId", data.getString("contractId")).put("milestoneId", data.getString("milestoneId"))
          .put("amount", data.getString("amount")).put("fee", data.getString("fee")));
    }
    return store(vertx, tx, event, data.getString("employerId"), APPLICATION_RECEIVED, new JsonObject()
        .put("jobId", data.getString("jobId")).put("applicationId", data.getString("applicationId"))
        .put("title", data.getString("title")).put("freelancerId", data.getString("freelancerId"))
        .put("bidAmount", data.getString("bidAmount")));
  }

  private static Future<Void> store(Vertx vertx, SqlClient tx, DomainEvent event, String userId, String kind,
                                    JsonObject data) {
    String user = Ids.canonical(userId);
    if (user == null) {
      return Future.succeededFuture();  // not a person's wallet: nobody to tell
    }
    UUID id = Ids.derive("notification", event.id(), kind, user);
    return tx.preparedQuery(INSERT).execute(Tuple.of(id, UUID.fromString(user), kind, data))
        .map(rows -> {
          if (rows.size() > 0) {
            JsonObject pushed = new JsonObject().put("type", "notification").put("id", id.toString()).put("kind", kind)
                .put("data", data).put("createdAt", rows.iterator().next().getOffsetDateTime(0).toInstant().toString());
            vertx.eventBus().publish(TutoringService.NOTIFICATIONS_ADDRESS,
                new JsonObject().put("userId", user).put("notification", pushed));
            vertx.eventBus().publish(TutoringService.USER_NOTIFICATIONS + user, pushed);
          }
          return null;
        });
  }

  /** {@code {items: [{id, kind, data, createdAt, readAt}], nextCursor, unread}}, newest first. */
  Future<JsonObject> list(Caller caller, boolean unreadOnly, int limit, String cursor) {
    long before;
    try {
      before = cursor == null ? Long.MAX_VALUE
          : Long.parseLong(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return Problems.fail(Problems.invalid("cursor", "is not a cursor this server gave"));
    }
    int size = Math.max(1, Math.min(limit, 100));
    String query = "SELECT seq, id, kind, data, created_at, read_at FROM notifications WHERE user_id = $1 AND seq < $2"
        + (unreadOnly ? " AND read_at IS NULL" : "") + " ORDER BY seq DESC LIMIT $3";
    Future<RowSet<Row>> page = pool.preparedQuery(query)
        .execute(Tuple.of(caller.userUuid(), before, size + 1));
    Future<RowSet<Row>> unread = pool.preparedQuery("""
            SELECT count(*) FROM (SELECT 1 FROM notifications WHERE user_id = $1 AND read_at IS NULL LIMIT $2) u""")
        .execute(Tuple.of(caller.userUuid(), MAX_UNREAD_COUNTED));
    return Future.all(page, unread).map(both -> Page.of(page.result(), size, Notifications::json,
            row -> Base64.getUrlEncoder().withoutPadding()
                .encodeToString(String.valueOf(row.getLong("seq")).getBytes(StandardCharsets.UTF_8)))
        .put("unread", unread.result().iterator().next().getLong(0)));
  }

  private static JsonObject json(Row row) {
    return new JsonObject().put("id", row.getUUID("id").toString()).put("kind", row.getString("kind"))
        .put("data", row.getValue("data")).put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
        .put("readAt", row.getOffsetDateTime("read_at") == null ? null
            : row.getOffsetDateTime("read_at").toInstant().toString());
  }

  /** Marks one of the caller's notifications read (again is fine); 404 if it is not theirs. */
  Future<Void> markRead(Caller caller, String notificationId) {
    String id = Ids.canonical(notificationId);
    if (id == null) {
      return Problems.fail(Problems.notFound("No such notification"));
    }
    return pool.preparedQuery("""
            UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING 1""")
        .execute(Tuple.of(UUID.fromString(id), caller.userUuid()))
        .compose(rows -> rows.size() == 0 ? Problems.fail(Problems.notFound("No such notification"))
            : Future.succeededFuture());
  }
}
