package io.azora.education;

import io.azora.platform.Caller;
import io.azora.platform.Money;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The catalogue's queries: a course with its outline, a lesson's content, and a course's JSON as every
 * answer shows it. Who may see what is decided here (unpublished courses only for their instructor).
 */
final class CatalogQueries {

  /** A course's columns as the service uses them: not its search vectors, which only PostgreSQL reads. */
  static final String COURSE_COLUMNS = """
      c.id, c.instructor_id, c.title, c.description, c.price, c.duration, c.level, c.category, c.skills, c.published,
      c.published_at, c.created_at, c.updated_at, c.rewards_verified, c.reward_level, c.assessments_version""";
  private static final String COURSE = "SELECT " + COURSE_COLUMNS + " FROM courses c WHERE c.id = $1";

  private final Pool pool;

  CatalogQueries(Pool pool) {
    this.pool = pool;
  }

  /** The course with its outline; an unpublished course exists only for its instructor and admins. */
  Future<JsonObject> details(Caller who, UUID id) {
    return load(pool, id).compose(course -> {
      if (!course.getBoolean("published") && !Teaching.owns(who, course.getUUID("instructor_id"))) {
        return Problems.fail(Problems.notFound("No such course"));
      }
      return Future.all(
              pool.preparedQuery("SELECT id, title, position FROM modules WHERE course_id = $1 ORDER BY position, created_at")
                  .execute(Tuple.of(id)),
              pool.preparedQuery("SELECT id, module_id, title, position FROM lessons WHERE course_id = $1 ORDER BY position, created_at")
                  .execute(Tuple.of(id)),
              pool.preparedQuery("""
                  SELECT id, title, passing_score, difficulty, jsonb_array_length(questions) AS questions
                  FROM assessments WHERE course_id = $1 ORDER BY created_at""").execute(Tuple.of(id)))
          .map(all -> {
            Map<UUID, JsonObject> modules = new LinkedHashMap<>();
            for (Row m : all.<RowSet<Row>>resultAt(0)) {
              modules.put(m.getUUID("id"), new JsonObject().put("id", m.getUUID("id").toString()).put("title", m.getString("title"))
                  .put("order", m.getInteger("position")).put("lessons", new JsonArray()));
            }
            for (Row l : all.<RowSet<Row>>resultAt(1)) {
              JsonObject module = modules.get(l.getUUID("module_id"));
              if (module != null) {
                module.getJsonArray("lessons").add(new JsonObject().put("id", l.getUUID("id").toString())
                    .put("title", l.getString("title")).put("order", l.getInteger("position")));
              }
            }
            JsonArray assessments = new JsonArray();
            for (Row a : all.<RowSet<Row>>resultAt(2)) {
              assessments.add(new JsonObject().put("id", a.getUUID("id").toString()).put("title", a.getString("title"))
                  .put("passingScore", a.getInteger("passing_score")).put("difficulty", a.getString("difficulty"))
                  .put("questionCount", a.getInteger("questions")));
            }
            return courseJson(course).put("modules", new JsonArray(new ArrayList<>(modules.values())))
                .put("assessments", assessments);
          });
    });
  }

  /** A lesson's content: for the course's instructor, admins, and learners enrolled in it. */
  Future<JsonObject> lesson(Caller who, String lessonId) {
    if (who.anonymous()) {
      return Problems.fail(Problems.unauthorized("Sign in to read lessons"));
    }
    return pool.preparedQuery("""
            SELECT l.*, c.instructor_id, c.published,
                   EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = l.course_id AND e.student_id = $2) AS enrolled
            FROM lessons l JOIN courses c ON c.id = l.course_id WHERE l.id = $1""")
        .execute(Tuple.of(uuid(lessonId), who.userUuid()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Problems.fail(Problems.notFound("No such lesson"));
          }
          Row row = rows.iterator().next();
          if (!Teaching.owns(who, row.getUUID("instructor_id")) && !row.getBoolean("enrolled")) {
            return row.getBoolean("published")
                ? Problems.fail(Problems.forbidden("Enroll in the course to read its lessons"))
                : Problems.fail(Problems.notFound("No such lesson"));
          }
          return Future.succeededFuture(new JsonObject().put("id", row.getUUID("id").toString())
              .put("courseId", row.getUUID("course_id").toString()).put("moduleId", row.getUUID("module_id").toString())
              .put("title", row.getString("title")).put("order", row.getInteger("position"))
              .put("content", row.getString("content")));
        });
  }

  static Future<Row> load(SqlClient client, UUID id) {
    return client.preparedQuery(COURSE).execute(Tuple.of(id)).compose(rows -> rows.size() == 0
        ? Problems.fail(Problems.notFound("No such course")) : Future.succeededFuture(rows.iterator().next()));
  }

  static UUID uuid(String id) {
    try {
      return UUID.fromString(id);
    } catch (RuntimeException e) {
      // Not an id this server made: nothing has it.
      return new UUID(0, 0);
    }
  }

  static JsonObject courseJson(Row row) {
    return new JsonObject().put("id", row.getUUID("id").toString())
        .put("instructorId", row.getUUID("instructor_id").toString())
        .put("title", row.getString("title")).put("description", row.getString("description"))
        .put("price", Money.format(row.getLong("price"))).put("currency", "AZR")
        .put("duration", row.getInteger("duration")).put("level", row.getString("level"))
        .put("category", row.getString("category"))
        .put("skills", new JsonArray(List.of(row.getArrayOfStrings("skills"))))
        .put("published", row.getBoolean("published"))
        .put("rewardsVerified", row.getBoolean("rewards_verified"))
        .put("rewardLevel", row.getBoolean("rewards_verified") ? row.getString("reward_level") : null)
        .put("assessmentsVersion", row.getInteger("assessments_version"))
        .put("publishedAt", row.getOffsetDateTime("published_at") == null ? null : row.getOffsetDateTime("published_at").toInstant().toString())
        .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
        .put("updatedAt", row.getOffsetDateTime("updated_at").toInstant().toString());
  }
}
