package io.azora.tutoring;

import io.azora.platform.Caller;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/** TutoringService on the bus. */
final class TutoringServiceImpl implements TutoringService {

  private final Pool pool;
  private final Rooms rooms;
  private final Notifications notifications;

  TutoringServiceImpl(Pool pool, Rooms rooms, Notifications notifications) {
    this.pool = pool;
    this.rooms = rooms;
    this.notifications = notifications;
  }

  @Override
  public Future<JsonObject> history(Caller caller, String courseId, int limit) {
    if (!signedIn(caller)) {
      return Problems.fail(Problems.unauthorized("Sign in first"));
    }
    UUID course;
    try {
      course = courseId == null ? null : UUID.fromString(courseId);
    } catch (RuntimeException e) {
      return Problems.fail(Problems.invalid("courseId", "must be an id"));
    }
    return pool.preparedQuery("""
            SELECT question, answer, sources, mode, asked_at FROM turns
            WHERE user_id = $1 AND course_id IS NOT DISTINCT FROM $2 ORDER BY id DESC LIMIT $3""")
        .execute(Tuple.of(caller.userUuid(), course, Math.max(1, Math.min(limit, 50))))
        .map(rows -> {
          JsonArray items = new JsonArray();
          for (Row row : rows) {
            items.add(new JsonObject().put("question", row.getString("question")).put("answer", row.getString("answer"))
                .put("sources", row.getValue("sources")).put("mode", row.getString("mode"))
                .put("askedAt", row.getOffsetDateTime("asked_at").toInstant().toString()));
          }
          return new JsonObject().put("items", items);
        });
  }

  @Override
  public Future<JsonObject> joinRoom(Caller caller, String courseId) {
    return signedIn(caller) ? rooms.join(caller, courseId) : Problems.fail(Problems.unauthorized("Sign in first"));
  }

  @Override
  public Future<JsonObject> postToRoom(Caller caller, String courseId, String text) {
    return signedIn(caller) ? rooms.post(caller, courseId, text) : Problems.fail(Problems.unauthorized("Sign in first"));
  }

  @Override
  public Future<JsonObject> notifications(Caller caller, boolean unreadOnly, int limit, String cursor) {
    return signedIn(caller) ? notifications.list(caller, unreadOnly, limit, cursor)
        : Problems.fail(Problems.unauthorized("Sign in first"));
  }

  @Override
  public Future<Void> markNotificationRead(Caller caller, String notificationId) {
    return signedIn(caller) ? notifications.markRead(caller, notificationId)
        : Problems.fail(Problems.unauthorized("Sign in first"));
  }

  private static boolean signedIn(Caller caller) {
    return caller != null && !caller.anonymous();
  }
}
