package io.azora.education;

import io.azora.platform.Caller;
import io.azora.finance.FinanceService;
import io.azora.finance.TransferRequest;
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

import java.util.UUID;
import java.util.function.Supplier;

/**
 * Enrolment and progress. A paid course moves its price from the learner's wallet to the instructor's
 * through finance, keyed by (learner, course): a retried or doubled enrolment can never charge twice.
 * Lessons complete once each; progress is the share of the course's lessons done.
 */
final class Enrollments {

  private static final String ENROLLED = "SELECT * FROM enrollments WHERE student_id = $1 AND course_id = $2";
  private static final String INSERT = """
      INSERT INTO enrollments (id, student_id, course_id, status, paid, transfer_id) VALUES ($1, $2, $3, 'active', $4, $5)
      ON CONFLICT (student_id, course_id) DO NOTHING RETURNING *""";
  private static final String PROGRESS = """
      SELECT (SELECT count(*) FROM lessons WHERE course_id = $2) AS total,
             (SELECT count(*) FROM lesson_completions WHERE student_id = $1 AND course_id = $2) AS done""";

  private final Vertx vertx;
  private final Pool pool;
  /** Finance, called within what the request has left (see {@link io.azora.platform.Deadline}). */
  private final Supplier<FinanceService> finance;
  private final Completion completion;

  Enrollments(Vertx vertx, Pool pool, Supplier<FinanceService> finance, Completion completion) {
    this.completion = completion;
    this.vertx = vertx;
    this.pool = pool;
    this.finance = finance;
  }

  /**
   * Enrolls the caller in a published course; {@code expectedPrice} (optional) is the price the learner
   * agreed to: if the course costs anything else now, 409 price_changed and nothing is charged.
   */
  Future<JsonObject> enroll(Caller who, String courseId, JsonObject request) {
    if (who.anonymous()) {
      return Problems.fail(Problems.unauthorized("Sign in to enroll"));
    }
    UUID student = who.userUuid();
    Long expected;
    try {
      expected = request.getValue("expectedPrice") == null ? null : Money.parse(request.getValue("expectedPrice"), "expectedPrice");
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    return CatalogQueries.load(pool, CatalogQueries.uuid(courseId)).compose(course -> {
      UUID id = course.getUUID("id");
      if (!course.getBoolean("published")) {
        return Teaching.owns(who, course.getUUID("instructor_id"))
            ? Problems.fail(Problems.of(409, "not_published", "Publish the course before anyone enrolls in it"))
            : Problems.fail(Problems.notFound("No such course"));
      }
      if (expected != null && expected.longValue() != course.getLong("price").longValue()) {
        ServiceException changed = Problems.of(409, "price_changed", "The course now costs "
            + Money.format(course.getLong("price")) + " AZR; nothing was charged");
        changed.getDebugInfo().put("price", Money.format(course.getLong("price")));
        return Future.failedFuture(changed);
      }
      return pool.preparedQuery(ENROLLED).execute(Tuple.of(student, id)).compose(existing -> {
        if (existing.size() > 0) {
          return Problems.fail(Problems.conflict("Already enrolled in this course"));
        }
        return pay(student, course).compose(transfer -> pool.withTransaction(tx -> tx.preparedQuery(INSERT)
                .execute(Tuple.of(UUID.randomUUID(), student, id, transfer == null ? 0L : course.getLong("price"),
                    transfer == null ? null : UUID.fromString(transfer)))
                .compose(rows -> rows.size() == 0
                    ? Problems.<Row>fail(Problems.conflict("Already enrolled in this course"))
                    : emitEnrolled(tx, rows.iterator().next(), course)))
            .onSuccess(v -> OutboxRelay.nudge(vertx, EducationEvents.SOURCE))
            .map(Enrollments::json));
      });
    });
  }

  /** The price to the instructor (none for a free course or its own instructor): the transfer id, or null. */
  private Future<String> pay(UUID student, Row course) {
    long price = course.getLong("price");
    String instructor = course.getUUID("instructor_id").toString();
    if (price == 0 || instructor.equals(student.toString())) {
      return Future.succeededFuture();
    }
    TransferRequest transfer = new TransferRequest(instructor, Money.format(price), "Course: " + course.getString("title"));
    return finance.get().transfer(student.toString(), transfer, "enroll:" + course.getUUID("id"))
        .map(paid -> paid.getString("id"))
        .recover(err -> err instanceof ServiceException se && se.failureCode() == 409
            ? Problems.fail(Problems.conflict("This course's price changed during an earlier attempt to enroll; contact support"))
            : Future.failedFuture(err));
  }

  private static Future<Row> emitEnrolled(SqlClient tx, Row enrollment, Row course) {
    JsonObject data = new JsonObject().put("enrollmentId", enrollment.getUUID("id").toString())
        .put("studentId", enrollment.getUUID("student_id").toString()).put("courseId", course.getUUID("id").toString())
        .put("instructorId", course.getUUID("instructor_id").toString())
        .put("price", Money.format(enrollment.getLong("paid")));
    return Nexus.emit(tx, EducationEvents.COURSE_ENROLLED, data).map(enrollment);
  }

  static JsonObject json(Row e) {
    return new JsonObject().put("id", e.getUUID("id").toString()).put("studentId", e.getUUID("student_id").toString())
        .put("courseId", e.getUUID("course_id").toString()).put("status", e.getString("status")).put("progress", 0)
        .put("paid", Money.format(e.getLong("paid")))
        .put("enrolledAt", e.getOffsetDateTime("enrolled_at").toInstant().toString());
  }

  /** Marks a lesson done for an enrolled learner (once; again answers the same) and reports the course's progress. */
  Future<JsonObject> completeLesson(Caller who, String lessonId) {
    if (who.anonymous()) {
      return Problems.fail(Problems.unauthorized("Sign in first"));
    }
    UUID student = who.userUuid();
    return pool.withTransaction(tx -> tx.preparedQuery("""
            SELECT l.id, l.course_id, e.id AS enrollment FROM lessons l
            LEFT JOIN enrollments e ON e.course_id = l.course_id AND e.student_id = $2 WHERE l.id = $1""")
        .execute(Tuple.of(CatalogQueries.uuid(lessonId), student))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Problems.<JsonObject>fail(Problems.notFound("No such lesson"));
          }
          Row lesson = rows.iterator().next();
          if (lesson.getUUID("enrollment") == null) {
            return Problems.<JsonObject>fail(Problems.forbidden("Enroll in the course first"));
          }
          UUID course = lesson.getUUID("course_id");
          return tx.preparedQuery("""
                  INSERT INTO lesson_completions (student_id, lesson_id, course_id) VALUES ($1, $2, $3)
                  ON CONFLICT DO NOTHING RETURNING lesson_id""").execute(Tuple.of(student, lesson.getUUID("id"), course))
              .compose(inserted -> inserted.size() == 0 ? Future.succeededFuture()
                  : Nexus.emit(tx, EducationEvents.LESSON_COMPLETED, new JsonObject()
                      .put("studentId", student.toString()).put("lessonId", lessonId).put("courseId", course.toString())))
              .compose(v -> Completion.check(tx, student, course))
              .compose(completed -> tx.preparedQuery(PROGRESS).execute(Tuple.of(student, course)).map(progress -> {
                if (completed) {
                  vertx.runOnContext(x -> completion.issue(student, course));
                }
                return progress;
              }))
              .map(progress -> {
                Row p = progress.iterator().next();
                long total = p.getLong("total");
                long done = p.getLong("done");
                return new JsonObject().put("courseId", course.toString()).put("progress", percent(done, total))
                    .put("completedLessons", done).put("totalLessons", total);
              });
        }))
        .onSuccess(v -> OutboxRelay.nudge(vertx, EducationEvents.SOURCE));
  }

  /** Whole percent done, rounded down (100 only when everything is done). */
  static int percent(long done, long total) {
    return total == 0 ? 0 : (int) (done * 100 / total);
  }

  /** A learner's enrolments with progress: the learner themself or an admin. */
  Future<JsonObject> progress(Caller who, String studentId) {
    UUID student = CatalogQueries.uuid(studentId);
    if (who.anonymous()) {
      return Problems.fail(Problems.unauthorized("Sign in first"));
    }
    if (!who.isAdmin() && !student.equals(who.userUuid())) {
      return Problems.fail(Problems.forbidden("Only the learner and admins see this progress"));
    }
    return pool.preparedQuery("""
            SELECT e.course_id, c.title, e.status, e.enrolled_at,
                   (SELECT count(*) FROM lessons l WHERE l.course_id = e.course_id) AS total_lessons,
                   (SELECT count(*) FROM lesson_completions d WHERE d.course_id = e.course_id AND d.student_id = e.student_id) AS done_lessons,
                   (SELECT count(*) FROM modules m WHERE m.course_id = e.course_id) AS total_modules,
                   (SELECT count(*) FROM modules m WHERE m.course_id = e.course_id AND NOT EXISTS (
                      SELECT 1 FROM lessons l WHERE l.module_id = m.id AND NOT EXISTS (
                        SELECT 1 FROM lesson_completions d WHERE d.lesson_id = l.id AND d.student_id = e.student_id))) AS done_modules
            FROM enrollments e JOIN courses c ON c.id = e.course_id
            WHERE e.student_id = $1 ORDER BY e.enrolled_at""")
        .execute(Tuple.of(student))
        .map(rows -> new JsonObject().put("studentId", studentId).put("enrollments", enrollments(rows)));
  }

  private static JsonArray enrollments(RowSet<Row> rows) {
    JsonArray out = new JsonArray();
    for (Row r : rows) {
      out.add(new JsonObject().put("courseId", r.getUUID("course_id").toString()).put("courseTitle", r.getString("title"))
          .put("progress", percent(r.getLong("done_lessons"), r.getLong("total_lessons")))
          .put("status", r.getString("status")).put("completedLessons", r.getLong("done_lessons"))
          .put("totalLessons", r.getLong("total_lessons")).put("completedModules", r.getLong("done_modules"))
          .put("totalModules", r.getLong("total_modules"))
          .put("enrolledAt", r.getOffsetDateTime("enrolled_at").toInstant().toString()));
    }
    return out;
  }
}
