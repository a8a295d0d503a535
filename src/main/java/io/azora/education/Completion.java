package io.azora.education;

import io.azora.auth.IdentityService;
import io.azora.platform.Nexus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A course is complete when every lesson is done and every assessment passed. Completing emits
 * course.completed (once: the enrolment row is locked and moves from active to completed) and earns a
 * verifiable credential: a JWT in the W3C VC data model's JWT form, signed by auth with the platform key,
 * checkable by anyone with /.well-known/jwks.json.
 */
final class Completion {

  private static final Logger log = LoggerFactory.getLogger(Completion.class);
  private static final String STATE = """
      SELECT e.id, e.status, c.title, c.level, c.skills, c.instructor_id, c.rewards_verified, c.reward_level,
             (SELECT count(*) FROM lessons l WHERE l.course_id = e.course_id) AS lessons,
             (SELECT count(*) FROM lesson_completions d WHERE d.course_id = e.course_id AND d.student_id = e.student_id) AS done,
             (SELECT count(*) FROM assessments a WHERE a.course_id = e.course_id) AS assessments,
             (SELECT count(*) FROM passes p WHERE p.course_id = e.course_id AND p.student_id = e.student_id) AS passed
      FROM enrollments e JOIN courses c ON c.id = e.course_id
      WHERE e.student_id = $1 AND e.course_id = $2 FOR UPDATE OF e""";

  private final Pool pool;
  private final Supplier<IdentityService> auth;

  Completion(Pool pool, Supplier<IdentityService> auth) {
    this.pool = pool;
    this.auth = auth;
  }

  /** In the caller's transaction: completes the enrolment if everything is done. True if it completed now. */
  static Future<Boolean> check(SqlClient tx, UUID student, UUID course) {
    return tx.preparedQuery(STATE).execute(Tuple.of(student, course)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(false);
      }
      Row e = rows.iterator().next();
      boolean done = e.getLong("done") >= e.getLong("lessons") && e.getLong("passed") >= e.getLong("assessments")
          && e.getLong("lessons") + e.getLong("assessments") > 0;
      if (!"active".equals(e.getString("status")) || !done) {
        return Future.succeededFuture(false);
      }
      // Proof-of-Knowledge integrity: AZR only in a course an admin verified, at the level the admin set,
      // and never for its own instructor.
      boolean rewardable = e.getBoolean("rewards_verified") && !student.equals(e.getUUID("instructor_id"));
      String level = rewardable ? e.getString("reward_level") : e.getString("level");
      JsonObject data = new JsonObject().put("userId", student.toString()).put("courseId", course.toString())
          .put("title", e.getString("title")).put("level", level).put("difficulty", level)
          .put("rewardable", rewardable).put("rewardsVerified", e.getBoolean("rewards_verified"))
          .put("skills", new JsonArray(List.of(e.getArrayOfStrings("skills"))))
          .put("completedAt", Instant.now().toString());
      return tx.preparedQuery("UPDATE enrollments SET status = 'completed', completed_at = now() WHERE id = $1")
          .execute(Tuple.of(e.getUUID("id")))
          .compose(v -> Nexus.emit(tx, EducationEvents.COURSE_COMPLETED, data))
          .map(true);
    });
  }

  /** Issues the credential of a completed course (idempotent); a failure is logged and retried on read. */
  Future<Void> issue(UUID student, UUID course) {
    return pool.preparedQuery("""
            SELECT c.title, c.skills, e.completed_at FROM enrollments e JOIN courses c ON c.id = e.course_id
            WHERE e.student_id = $1 AND e.course_id = $2 AND e.status = 'completed'
              AND NOT EXISTS (SELECT 1 FROM credentials k WHERE k.student_id = $1 AND k.course_id = $2)""")
        .execute(Tuple.of(student, course))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.<Void>succeededFuture();
          }
          Row row = rows.iterator().next();
          String[] skills = row.getArrayOfStrings("skills");
          String completedAt = row.getOffsetDateTime("completed_at").toInstant().toString();
          JsonObject vc = new JsonObject()
              .put("@context", new JsonArray().add("https://www.w3.org/2018/credentials/v1"))
              .put("type", new JsonArray().add("VerifiableCredential").add("CourseCompletionCredential"))
              .put("issuanceDate", completedAt)
              .put("credentialSubject", new JsonObject().put("id", "urn:azora:user:" + student)
                  .put("course", new JsonObject().put("id", course.toString()).put("title", row.getString("title")))
                  .put("skills", new JsonArray(List.of(skills))).put("completedAt", completedAt));
          return auth.get().signCredential(student.toString(), vc).compose(jwt -> pool.preparedQuery("""
                  INSERT INTO credentials (id, student_id, course_id, skills, jwt) VALUES ($1, $2, $3, $4, $5)
                  ON CONFLICT (student_id, course_id) DO NOTHING""")
              .execute(Tuple.tuple().addUUID(UUID.randomUUID()).addUUID(student).addUUID(course)
                  .addArrayOfString(skills).addString(jwt)))
              .mapEmpty();
        })
        .onFailure(err -> log.warn("Credential for {} / {} not issued yet: {}", student, course, err.toString()));
  }

  /** The caller's credentials: [{courseId, courseTitle, skills, issuedAt, credential}], issuing any still missing. */
  Future<JsonArray> credentials(UUID student) {
    return pool.preparedQuery("""
            SELECT course_id FROM enrollments e WHERE student_id = $1 AND status = 'completed'
              AND NOT EXISTS (SELECT 1 FROM credentials k WHERE k.student_id = e.student_id AND k.course_id = e.course_id)""")
        .execute(Tuple.of(student))
        .compose(missing -> {
          List<Future<Void>> issued = new java.util.ArrayList<>();
          missing.forEach(r -> issued.add(issue(student, r.getUUID(0))));
          return Future.join(issued).otherwiseEmpty();
        })
        .compose(v -> pool.preparedQuery("""
            SELECT k.course_id, c.title, k.skills, k.issued_at, k.jwt FROM credentials k JOIN courses c ON c.id = k.course_id
            WHERE k.student_id = $1 ORDER BY k.issued_at""").execute(Tuple.of(student)))
        .map(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            out.add(new JsonObject().put("courseId", r.getUUID("course_id").toString()).put("courseTitle", r.getString("title"))
                .put("skills", new JsonArray(List.of(r.getArrayOfStrings("skills"))))
                .put("issuedAt", r.getOffsetDateTime("issued_at").toInstant().toString()).put("credential", r.getString("jwt")));
          }
          return out;
        });
  }
}
