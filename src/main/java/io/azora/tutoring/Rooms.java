package io.azora.tutoring;

import io.azora.platform.Caller;
import io.azora.platform.DomainEvent;
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

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * The live room of each course: who may join (as for Elara: the instructor, learners enrolled once it is
 * published, admins), its chat kept for the history shown on joining, and each message published once on
 * {@link TutoringService#ROOMS_ADDRESS} for the gateways to fan out to their sockets.
 */
final class Rooms {

  static final int HISTORY = 50;
  static final int MAX_TEXT = 2000;
  private static final String ANONYMOUS_NAME = "Learner";

  /** Whether the caller ($1) may be in the room of course $2 ($3: an admin); no row: no such course. */
  private static final String ACCESS = """
      SELECT c.instructor_id = $1 OR $3 OR (c.published AND
        EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.course_id AND e.student_id = $1))
      FROM courses c WHERE c.course_id = $2""";
  private static final String POST = """
      WITH allowed AS (
        SELECT 1 FROM courses c WHERE c.course_id = $2 AND (c.instructor_id = $1 OR $4 OR (c.published AND
          EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.course_id AND e.student_id = $1))))
      INSERT INTO room_messages (course_id, user_id, text) SELECT $2, $1, $3 FROM allowed
      RETURNING at, (SELECT name FROM people WHERE user_id = $1) AS name""";
  private static final String HISTORY_QUERY = """
      SELECT m.user_id, p.name, m.text, m.at FROM room_messages m LEFT JOIN people p USING (user_id)
      WHERE m.course_id = $1 ORDER BY m.id DESC LIMIT""" + " " + HISTORY;

  private final Vertx vertx;
  private final Pool pool;

  Rooms(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  /** Nexus: user.registered — the name people see in rooms. */
  static Future<Void> onRegistered(SqlClient tx, DomainEvent event) {
    JsonObject data = event.data();
    String name = data.getString("name");
    return tx.preparedQuery("INSERT INTO people (user_id, name) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET name = excluded.name")
        .execute(Tuple.of(UUID.fromString(data.getString("userId")), displayName(name)))
        .mapEmpty();
  }

  /** {@code {courseId, name, messages: [{from, name, text, at}...]}}, oldest first; 404 or 403 otherwise. */
  Future<JsonObject> join(Caller caller, String courseId) {
    UUID course = courseOf(courseId);
    if (course == null) {
      return Problems.fail(Problems.invalid("courseId", "must be an id"));
    }
    return pool.preparedQuery(ACCESS).execute(Tuple.of(caller.userUuid(), course, caller.isAdmin()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Problems.fail(Problems.notFound("No such course"));
          }
          if (!Boolean.TRUE.equals(rows.iterator().next().getBoolean(0))) {
            return Problems.fail(Problems.forbidden("The room is for the course's enrolled learners and its instructor"));
          }
          return Future.all(pool.preparedQuery(HISTORY_QUERY).execute(Tuple.of(course)),
              pool.preparedQuery("SELECT name FROM people WHERE user_id = $1").execute(Tuple.of(caller.userUuid())));
        })
        .map(both -> {
          List<JsonObject> messages = new ArrayList<>();
          for (Row row : both.<RowSet<Row>>resultAt(0)) {
            messages.add(message(row.getUUID("user_id").toString(), row.getString("name"), row.getString("text"),
                row.getOffsetDateTime("at").toInstant().toString()));
          }
          Collections.reverse(messages);
          RowSet<Row> me = both.resultAt(1);
          String name = me.size() == 0 ? ANONYMOUS_NAME : me.iterator().next().getString(0);
          return new JsonObject().put("courseId", course.toString()).put("name", name)
              .put("messages", new JsonArray(new ArrayList<>(messages)));
        });
  }

  /** Keeps a chat message and publishes it to every gateway: {@code {courseId, message: {from, name, text, at}}}. */
  Future<JsonObject> post(Caller caller, String courseId, String text) {
    UUID course = courseOf(courseId);
    if (course == null) {
      return Problems.fail(Problems.invalid("courseId", "must be an id"));
    }
    String clean = text == null ? "" : text.strip();
    if (clean.isEmpty() || clean.length() > MAX_TEXT) {
      return Problems.fail(Problems.invalid("text", "must be 1 to " + MAX_TEXT + " characters"));
    }
    return pool.preparedQuery(POST).execute(Tuple.of(caller.userUuid(), course, clean, caller.isAdmin()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Problems.fail(Problems.forbidden("The room is for the course's enrolled learners and its instructor"));
          }
          Row row = rows.iterator().next();
          JsonObject message = message(caller.userId(), row.getString("name"), clean,
              row.getOffsetDateTime("at").toInstant().toString());
          vertx.eventBus().publish(TutoringService.ROOMS_ADDRESS,
              new JsonObject().put("courseId", course.toString()).put("message", message));
          return Future.succeededFuture(message);
        });
  }

  /** Deletes room messages older than {@code days}. */
  Future<Integer> prune(int days) {
    return pool.preparedQuery("DELETE FROM room_messages WHERE at < now() - make_interval(days => $1)")
        .execute(Tuple.of(days)).map(rows -> rows.rowCount());
  }

  private static JsonObject message(String from, String name, String text, String at) {
    return new JsonObject().put("from", from).put("name", name == null ? ANONYMOUS_NAME : name).put("text", text)
        .put("at", at);
  }

  static String displayName(String name) {
    String clean = name == null ? "" : name.strip();
    if (clean.isEmpty()) {
      return ANONYMOUS_NAME;
    }
    return clean.length() > 100 ? clean.substring(0, 100) : clean;
  }

  /** The course id, or null when it is not one. */
  static UUID courseOf(String courseId) {
    try {
      return courseId == null ? null : UUID.fromString(courseId);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
