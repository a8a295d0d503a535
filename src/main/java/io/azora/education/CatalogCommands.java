package io.azora.education;

import io.azora.platform.Caller;
import io.azora.platform.DomainEvent;
import io.azora.platform.EventType;
import io.azora.platform.Money;
import io.azora.platform.Nexus;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The catalogue's commands: instructors build courses (modules, lessons in Markdown, assessments) and
 * publish them; admins verify them for rewards. Only a course's instructor (or an admin) changes a course.
 * Each change to a published course emits its event in its transaction and then invalidates the cache.
 */
final class CatalogCommands {

  static final Set<String> LEVELS = Set.of("beginner", "intermediate", "advanced", "expert");
  static final int MAX_LESSON_BYTES = 256 * 1024;
  /**
   * The course's search vector: title (A) and description (B), then its lessons' vector (C), which is kept
   * apart and only ever extended ({@link #INDEX_LESSON}), so an edit never re-reads lesson text.
   */
  private static final String REINDEX = """
      UPDATE courses c SET search = setweight(to_tsvector('english', c.title), 'A')
          || setweight(to_tsvector('english', c.description), 'B') || c.lessons_search
      WHERE c.id = $1""";
  /** Counts a new lesson in (locking the course row, so concurrent additions queue): no row at the cap. */
  private static final String COUNT_LESSON = """
      UPDATE courses SET lesson_count = lesson_count + 1 WHERE id = $1 AND lesson_count < $2 RETURNING lesson_count""";
  /**
   * Adds a new lesson's text ($2) to the course's vector, as much of it as the indexing budget ($3 characters
   * per course) has left: the work is the new lesson's, whatever the course's size.
   */
  private static final String INDEX_LESSON = """
      WITH part AS (SELECT left($2, greatest(0, $3 - c.indexed_chars)) AS text FROM courses c WHERE c.id = $1)
      UPDATE courses c SET
        lessons_search = c.lessons_search || setweight(to_tsvector('english', part.text), 'C'),
        search = setweight(to_tsvector('english', c.title), 'A') || setweight(to_tsvector('english', c.description), 'B')
                 || c.lessons_search || setweight(to_tsvector('english', part.text), 'C'),
        indexed_chars = c.indexed_chars + length(part.text),
        updated_at = now()
      FROM part WHERE c.id = $1""";

  private final Pool pool;
  private final EducationConfig config;
  private final CatalogQueries queries;
  /** Invalidates the catalogue cache after a committed change, given the change's event id (or null). */
  private final Function<String, Future<Void>> changed;
  /** Sends out, at once, the events a committed change emitted. */
  private final Runnable emitted;

  CatalogCommands(Pool pool, EducationConfig config, CatalogQueries queries, Function<String, Future<Void>> changed,
                  Runnable emitted) {
    this.pool = pool;
    this.config = config;
    this.queries = queries;
    this.changed = changed;
    this.emitted = emitted;
  }

  /** {@code result}, once the catalogue cache has forgotten {@code course} if it is visible. */
  private <T> Future<T> afterChange(Row course, String eventId, T result) {
    return course.getBoolean("published") ? changed.apply(eventId).map(result) : Future.succeededFuture(result);
  }

  /**
   * The change's event, in the change's transaction (course.published, or course.updated with what changed:
   * details, module, lesson, assessment), for a published course; its id, or null when none is due.
   */
  private static Future<String> emitChange(SqlClient tx, Row course, EventType type, String change) {
    if (!course.getBoolean("published") && type != EducationEvents.COURSE_PUBLISHED) {
      return Future.succeededFuture();
    }
    JsonObject data = new JsonObject().put("courseId", course.getUUID("id").toString())
        .put("instructorId", course.getUUID("instructor_id").toString());
    if (change != null) {
      data.put("change", change);
    }
    return Nexus.emit(tx, type, data).map(DomainEvent::id);
  }

  Future<JsonObject> create(Caller who, JsonObject request) {
    if (!Teaching.mayTeach(who)) {
      return Problems.fail(Problems.forbidden("Only instructors create courses"));
    }
    UUID id = UUID.randomUUID();
    long price;
    try {
      price = Money.parse(request.getValue("price", "0"), "price");
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    return pool.withTransaction(tx -> tx.preparedQuery("""
            INSERT INTO courses (id, instructor_id, title, description, price, duration, level, category, skills)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""")
            .execute(Tuple.tuple().addUUID(id).addUUID(who.userUuid()).addString(request.getString("title").strip())
                .addString(request.getString("description", "")).addLong(price)
                .addInteger(request.getInteger("duration", 0)).addString(request.getString("level"))
                .addString(request.getString("category").strip()).addArrayOfString(skills(request.getJsonArray("skills"))))
            .compose(v -> tx.preparedQuery(REINDEX).execute(Tuple.of(id))))
        .compose(v -> CatalogQueries.load(pool, id))
        .map(CatalogQueries::courseJson);
  }

  /** Skills as given, trimmed and lower-cased, without repeats. */
  static String[] skills(JsonArray skills) {
    if (skills == null) {
      return new String[0];
    }
    return skills.stream().map(s -> String.valueOf(s).strip().toLowerCase()).filter(s -> !s.isEmpty())
        .distinct().toArray(String[]::new);
  }

  Future<JsonObject> update(Caller who, String courseId, JsonObject changes) {
    return owned(who, courseId).compose(course -> {
      UUID id = course.getUUID("id");
      long price;
      try {
        price = changes.containsKey("price") ? Money.parse(changes.getValue("price"), "price") : course.getLong("price");
      } catch (ServiceException e) {
        return Future.failedFuture(e);
      }
      Tuple params = Tuple.tuple().addUUID(id)
          .addString(changes.getString("title", course.getString("title")).strip())
          .addString(changes.getString("description", course.getString("description")))
          .addLong(price)
          .addInteger(changes.getInteger("duration", course.getInteger("duration")))
          .addString(changes.getString("level", course.getString("level")))
          .addString(changes.getString("category", course.getString("category")).strip())
          .addArrayOfString(changes.containsKey("skills") ? skills(changes.getJsonArray("skills"))
              : course.getArrayOfStrings("skills"));
      return pool.withTransaction(tx -> tx.preparedQuery("""
              UPDATE courses SET title = $2, description = $3, price = $4, duration = $5, level = $6, category = $7,
                                 skills = $8, updated_at = now() WHERE id = $1""").execute(params)
              .compose(v -> tx.preparedQuery(REINDEX).execute(Tuple.of(id)))
              .compose(v -> emitChange(tx, course, EducationEvents.COURSE_UPDATED, "details")))
          .compose(eventId -> afterChange(course, eventId, id))
          .compose(changedCourse -> queries.details(who, changedCourse));
    });
  }

  Future<JsonObject> publish(Caller who, String courseId) {
    return owned(who, courseId).compose(course -> pool.withTransaction(tx -> tx.preparedQuery("""
                UPDATE courses SET published = true, published_at = coalesce(published_at, now()), updated_at = now()
                WHERE id = $1""").execute(Tuple.of(course.getUUID("id")))
            .compose(v -> course.getBoolean("published") ? Future.<String>succeededFuture()
                : emitChange(tx, course, EducationEvents.COURSE_PUBLISHED, null)))
        .compose(changed::apply)
        .compose(v -> queries.details(who, course.getUUID("id"))));
  }

  Future<JsonObject> addModule(Caller who, String courseId, JsonObject request) {
    return owned(who, courseId).compose(course -> {
      UUID id = UUID.randomUUID();
      Integer order = request.getInteger("order");
      JsonObject module = new JsonObject();
      return pool.withTransaction(tx -> tx.preparedQuery("""
                  INSERT INTO modules (id, course_id, title, position)
                  VALUES ($1, $2, $3, coalesce($4, (SELECT coalesce(max(position), 0) + 1 FROM modules WHERE course_id = $2)))
                  RETURNING id, title, position""")
              .execute(Tuple.of(id, course.getUUID("id"), request.getString("title").strip(), order))
              .compose(rows -> {
                Row row = rows.iterator().next();
                module.put("id", row.getUUID("id").toString()).put("courseId", courseId)
                    .put("title", row.getString("title")).put("order", row.getInteger("position"))
                    .put("lessons", new JsonArray());
                return emitChange(tx, course, EducationEvents.COURSE_UPDATED, "module");
              }))
          .compose(eventId -> afterChange(course, eventId, module));
    });
  }

  Future<JsonObject> addLesson(Caller who, String courseId, String moduleId, JsonObject request) {
    String content = request.getString("content");
    if (content.getBytes(StandardCharsets.UTF_8).length > MAX_LESSON_BYTES) {
      return Problems.fail(Problems.invalid("content", "at most 256 KiB of Markdown"));
    }
    return owned(who, courseId).compose(course -> {
      UUID module = CatalogQueries.uuid(moduleId);
      UUID id = UUID.randomUUID();
      UUID cid = course.getUUID("id");
      JsonObject lesson = new JsonObject();
      return pool.withTransaction(tx -> tx.preparedQuery(COUNT_LESSON).execute(Tuple.of(cid, config.maxLessonsPerCourse()))
              .compose(counted -> counted.size() == 0
                  ? Problems.<RowSet<Row>>fail(Problems.of(409, "too_many_lessons",
                      "A course has at most " + config.maxLessonsPerCourse() + " lessons"))
                  : tx.preparedQuery("SELECT 1 FROM modules WHERE id = $1 AND course_id = $2").execute(Tuple.of(module, cid)))
              .compose(found -> found.size() == 0 ? Problems.<RowSet<Row>>fail(Problems.notFound("No such module in this course"))
                  : tx.preparedQuery("""
                      INSERT INTO lessons (id, module_id, course_id, title, content, position)
                      VALUES ($1, $2, $3, $4, $5, coalesce($6, (SELECT coalesce(max(position), 0) + 1 FROM lessons WHERE module_id = $2)))
                      RETURNING position""")
                  .execute(Tuple.of(id, module, cid, request.getString("title").strip(), content, request.getInteger("order"))))
              .compose(rows -> {
                lesson.put("id", id.toString()).put("courseId", courseId).put("moduleId", moduleId)
                    .put("title", request.getString("title").strip()).put("order", rows.iterator().next().getInteger(0))
                    .put("content", content);
                return tx.preparedQuery(INDEX_LESSON).execute(Tuple.of(cid, request.getString("title").strip() + " " + content,
                    config.maxIndexedCharsPerCourse()));
              })
              // The lesson's text travels with its event (published or not): tutoring answers from it.
              .compose(v -> Nexus.emit(tx, EducationEvents.LESSON_ADDED, new JsonObject()
                  .put("courseId", cid.toString()).put("lessonId", id.toString()).put("moduleId", module.toString())
                  .put("instructorId", course.getUUID("instructor_id").toString()).put("title", lesson.getString("title"))
                  .put("content", content).put("position", lesson.getInteger("order"))))
              .compose(v -> emitChange(tx, course, EducationEvents.COURSE_UPDATED, "lesson")))
          .onSuccess(v -> emitted.run())  // lesson.added, whether the course is published or not
          .compose(eventId -> afterChange(course, eventId, lesson));
    });
  }

  /**
   * An admin's review for Proof-of-Knowledge rewards: the course earns AZR from now on, at {@code level}
   * (which sets the mining difficulty, whatever its assessments claim), until its assessments change.
   * With {@code assessmentsVersion} (from the course the admin reviewed), an assessment added meanwhile
   * makes it 409 course_changed: what is verified is exactly what was reviewed.
   */
  Future<JsonObject> verify(Caller who, String courseId, JsonObject request) {
    if (!who.isAdmin()) {
      return Problems.fail(Problems.forbidden("Only admins verify courses for rewards"));
    }
    String level = request.getString("level");
    if (!LEVELS.contains(level)) {
      return Problems.fail(Problems.invalid("level", "must be one of " + LEVELS));
    }
    Integer reviewed = request.getInteger("assessmentsVersion");
    return CatalogQueries.load(pool, CatalogQueries.uuid(courseId)).compose(course -> pool.withTransaction(tx -> tx.preparedQuery("""
                UPDATE courses SET rewards_verified = true, reward_level = $2, level = $2, verified_at = now(),
                                   verified_by = $3, updated_at = now()
                WHERE id = $1 AND ($4::int IS NULL OR assessments_version = $4) RETURNING id""")
            .execute(Tuple.of(course.getUUID("id"), level, who.userUuid(), reviewed))
            .compose(rows -> rows.size() == 0
                ? Problems.<String>fail(Problems.of(409, "course_changed",
                    "The course's assessments changed since the version reviewed; review it again"))
                : emitChange(tx, course, EducationEvents.COURSE_UPDATED, "verification")))
        .compose(eventId -> afterChange(course, eventId, course.getUUID("id")))
        .compose(id -> queries.details(who, id)));
  }


  Future<JsonObject> addAssessment(Caller who, String courseId, JsonObject request) {
    JsonArray questions;
    try {
      questions = Questions.validate(request.getJsonArray("questions"));
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    return owned(who, courseId).compose(course -> {
      UUID id = UUID.randomUUID();
      JsonObject assessment = new JsonObject().put("id", id.toString()).put("courseId", courseId)
          .put("title", request.getString("title").strip()).put("passingScore", request.getInteger("passingScore"))
          .put("difficulty", request.getString("difficulty")).put("questions", Questions.forLearners(questions));
      return pool.withTransaction(tx -> tx.preparedQuery("""
                  INSERT INTO assessments (id, course_id, title, passing_score, difficulty, questions)
                  VALUES ($1, $2, $3, $4, $5, $6)""")
              .execute(Tuple.of(id, course.getUUID("id"), request.getString("title").strip(),
                  request.getInteger("passingScore"), request.getString("difficulty"), questions))
              // What an admin reviewed has changed: rewards stop until it is reviewed again, and a review of
              // the earlier version can no longer verify it.
              .compose(v -> tx.preparedQuery("""
                      UPDATE courses SET rewards_verified = false, assessments_version = assessments_version + 1
                      WHERE id = $1""").execute(Tuple.of(course.getUUID("id"))))
              // The prompts alone travel (tutoring recognises an assessment question and only hints at it).
              .compose(v -> Nexus.emit(tx, EducationEvents.ASSESSMENT_ADDED, new JsonObject()
                  .put("courseId", course.getUUID("id").toString()).put("assessmentId", id.toString())
                  .put("instructorId", course.getUUID("instructor_id").toString())
                  .put("title", request.getString("title").strip()).put("prompts", prompts(questions))))
              .compose(v -> emitChange(tx, course, EducationEvents.COURSE_UPDATED, "assessment")))
          .onSuccess(v -> emitted.run())
          .compose(eventId -> afterChange(course, eventId, assessment));
    });
  }


  private static JsonArray prompts(JsonArray questions) {
    JsonArray prompts = new JsonArray();
    questions.forEach(q -> prompts.add(((JsonObject) q).getString("prompt")));
    return prompts;
  }

  /** The course if {@code who} may change it: 404 if it does not exist (or is hidden), 403 if not theirs. */
  private Future<Row> owned(Caller who, String courseId) {
    if (who.anonymous()) {
      return Problems.fail(Problems.unauthorized("Sign in first"));
    }
    return CatalogQueries.load(pool, CatalogQueries.uuid(courseId)).compose(course -> {
      if (Teaching.owns(who, course.getUUID("instructor_id"))) {
        return Future.succeededFuture(course);
      }
      return course.getBoolean("published") ? Problems.fail(Problems.forbidden("Only the course's instructor may change it"))
          : Problems.fail(Problems.notFound("No such course"));
    });
  }





}
