package io.azora.tutoring;

import io.azora.platform.Caller;
import io.azora.platform.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Who may ask Elara about which course, kept from education's events: a course's instructor always,
 * learners enrolled in it once it is published, admins everywhere. Only those courses' lessons answer.
 */
final class Readers {

  private static final String UPSERT_COURSE = """
      INSERT INTO courses (course_id, instructor_id, published) VALUES ($1, $2, $3)
      ON CONFLICT (course_id) DO UPDATE SET published = courses.published OR excluded.published""";
  private static final String READABLE = """
      SELECT course_id FROM courses WHERE instructor_id = $1
      UNION
      SELECT c.course_id FROM enrolments e JOIN courses c USING (course_id) WHERE e.student_id = $1 AND c.published
      LIMIT 1000""";
  private static final String MAY_READ = """
      SELECT 1 FROM courses c WHERE c.course_id = $2 AND (c.instructor_id = $1 OR $3 OR (c.published AND
        EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.course_id AND e.student_id = $1)))""";

  private final Pool pool;

  Readers(Pool pool) {
    this.pool = pool;
  }

  /** Nexus: course.published, or lesson.added (which names the instructor of a course maybe not yet published). */
  static Future<Void> onCourse(SqlClient tx, DomainEvent event, boolean published) {
    JsonObject data = event.data();
    return tx.preparedQuery(UPSERT_COURSE)
        .execute(Tuple.of(UUID.fromString(data.getString("courseId")), UUID.fromString(data.getString("instructorId")),
            published))
        .mapEmpty();
  }

  /** Nexus: course.enrolled. */
  static Future<Void> onEnrolled(SqlClient tx, DomainEvent event) {
    JsonObject data = event.data();
    return tx.preparedQuery("INSERT INTO enrolments (course_id, student_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .execute(Tuple.of(UUID.fromString(data.getString("courseId")), UUID.fromString(data.getString("studentId"))))
        .mapEmpty();
  }

  /** Whether {@code caller} may ask about {@code course}. */
  Future<Boolean> mayRead(Caller caller, UUID course) {
    return pool.preparedQuery(MAY_READ).execute(Tuple.of(caller.userUuid(), course, caller.isAdmin()))
        .map(rows -> rows.size() > 0);
  }

  /** The courses {@code caller} may ask about (at most 1,000: a question about all of them searches these). */
  Future<List<UUID>> readable(Caller caller) {
    return pool.preparedQuery(READABLE).execute(Tuple.of(caller.userUuid())).map(rows -> {
      List<UUID> courses = new ArrayList<>();
      for (Row row : rows) {
        courses.add(row.getUUID(0));
      }
      return courses;
    });
  }
}
