package io.azora.education;

import io.azora.platform.Caller;
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
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Attempts at assessments: graded here (answers never leave the database), stored, and the first pass
 * of each learner emits assessment.passed, which finance turns into a Proof-of-Knowledge reward and
 * reports back with tokens.mined. The attempt's answer waits briefly for that reward ({@link RewardWait}).
 */
final class Assessments {

  private static final String LOAD = """
      SELECT a.*, c.instructor_id, c.rewards_verified, c.reward_level,
             EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = a.course_id AND e.student_id = $2) AS enrolled,
             EXISTS (SELECT 1 FROM passes p WHERE p.assessment_id = a.id AND p.student_id = $2) AS passed_before
      FROM assessments a JOIN courses c ON c.id = a.course_id WHERE a.id = $1""";
  /**
   * Stores the attempt if the learner has attempts left in the window: the quota row's lock orders
   * concurrent attempts, so the limit holds exactly. $1 id, $2 assessment, $3 student, $4 answers, $5 score,
   * $6 passed, $7 attempts per window, $8 window seconds. No row: over the limit, nothing stored.
   */
  private static final String INSERT_ATTEMPT = """
      WITH quota AS (
        INSERT INTO attempt_quota AS q (student_id, assessment_id, recent) VALUES ($3, $2, ARRAY[now()])
        ON CONFLICT (student_id, assessment_id) DO UPDATE
          SET recent = ARRAY(SELECT t FROM unnest(q.recent) t WHERE t > now() - make_interval(secs => $8)) || now()
          WHERE (SELECT count(*) FROM unnest(q.recent) t WHERE t > now() - make_interval(secs => $8)) < $7
        RETURNING 1)
      INSERT INTO attempts (id, assessment_id, student_id, answers, score, passed)
      SELECT $1, $2, $3, $4, $5, $6 FROM quota RETURNING id""";
  /** Seconds until the oldest attempt in the window leaves it. */
  private static final String RETRY_AFTER = """
      SELECT greatest(1, ceil(extract(epoch FROM min(t) + make_interval(secs => $3) - now())))::bigint
      FROM attempt_quota q, unnest(q.recent) t
      WHERE q.student_id = $1 AND q.assessment_id = $2 AND t > now() - make_interval(secs => $3)""";

  private final Vertx vertx;
  private final Pool pool;
  private final Completion completion;
  private final EducationConfig config;
  private final RewardWait rewards;

  Assessments(Vertx vertx, Pool pool, Completion completion, EducationConfig config, RewardWait rewards) {
    this.vertx = vertx;
    this.pool = pool;
    this.completion = completion;
    this.config = config;
    this.rewards = rewards;
  }



  /** A graded attempt, ready to store: what the answer says and whether its pass could earn AZR. */
  private record Graded(UUID id, Row assessment, UUID student, JsonArray answers, int score, boolean passed,
                        boolean rewardable) {
    Tuple row(EducationConfig config) {
      return Tuple.of(id, assessment.getUUID("id"), student, answers, score, passed)
          .addInteger(config.attemptsPerWindow()).addLong(config.attemptWindowSeconds());
    }
  }

  Future<JsonObject> attempt(Caller who, String assessmentId, JsonObject request) {
    if (who.anonymous()) {
      return Problems.fail(Problems.unauthorized("Sign in first"));
    }
    return pool.preparedQuery(LOAD).execute(Tuple.of(CatalogQueries.uuid(assessmentId), who.userUuid())).compose(rows -> {
      if (rows.size() == 0) {
        return Problems.fail(Problems.notFound("No such assessment"));
      }
      Row a = rows.iterator().next();
      if (!a.getBoolean("enrolled")) {
        return Problems.fail(Problems.forbidden("Enroll in the course first"));
      }
      Graded graded;
      try {
        graded = grade(who.userUuid(), a, request.getJsonArray("answers", new JsonArray()));
      } catch (ServiceException e) {
        return Future.failedFuture(e);
      }
      return store(graded).compose(outcome -> answer(graded, outcome));
    });
  }

  /** Grades the answers; 400 naming an answer that names no question of the assessment, or one twice. */
  private Graded grade(UUID student, Row a, JsonArray given) {
    JsonArray questions = (JsonArray) a.getValue("questions");
    Map<Integer, Object> answers = new HashMap<>();
    for (int i = 0; i < given.size(); i++) {
      JsonObject answer = given.getJsonObject(i);
      Integer index = answer.getInteger("questionIndex");
      if (index == null || index < 0 || index >= questions.size() || answers.containsKey(index)) {
        throw Problems.invalid("answers[" + i + "].questionIndex",
            "must name a question of this assessment (0.." + (questions.size() - 1) + "), once");
      }
      answers.put(index, answer.getValue("value"));
    }
    int score = Questions.score(questions, answers);
    return new Graded(UUID.randomUUID(), a, student, given, score, score >= a.getInteger("passing_score"),
        rewardable(student, a, questions.size()));
  }

  /**
   * Proof-of-Knowledge integrity (API.md): a pass earns AZR only in a course an admin verified for rewards,
   * never for the course's own instructor, and only for an assessment at or above the configured minimums.
   */
  private boolean rewardable(UUID student, Row a, int questions) {
    return a.getBoolean("rewards_verified") && !student.equals(a.getUUID("instructor_id"))
        && a.getInteger("passing_score") >= config.rewardMinPassingScore() && questions >= config.rewardMinQuestions();
  }

  /**
   * Stores the attempt within the learner's quota (429 attempt_limit beyond it): {first pass, course
   * completed}. Only a learner's first pass has more to do than store the attempt (one statement, no transaction).
   */
  private Future<boolean[]> store(Graded g) {
    Row a = g.assessment();
    if (!g.passed() || a.getBoolean("passed_before")) {
      return pool.preparedQuery(INSERT_ATTEMPT).execute(g.row(config))
          .compose(rows -> rows.rowCount() == 0 ? overLimit(g) : Future.succeededFuture(new boolean[] {false, false}));
    }
    UUID course = a.getUUID("course_id");
    return pool.withTransaction(tx -> tx.preparedQuery(INSERT_ATTEMPT).execute(g.row(config))
        .compose(rows -> rows.rowCount() == 0 ? overLimit(g) : firstPass(tx, g)
            .compose(first -> (first ? Completion.check(tx, g.student(), course) : Future.succeededFuture(false))
                .map(completed -> new boolean[] {first, completed}))));
  }

  private <T> Future<T> overLimit(Graded g) {
    return pool.preparedQuery(RETRY_AFTER).execute(Tuple.of(g.student(), g.assessment().getUUID("id"),
            config.attemptWindowSeconds()))
        .compose(rows -> {
          Long wait = rows.size() == 0 ? null : rows.iterator().next().getLong(0);
          ServiceException e = Problems.of(429, "attempt_limit", "At most " + config.attemptsPerWindow()
              + " attempts at this assessment in " + Duration.ofSeconds(config.attemptWindowSeconds())
                  .toString().substring(2).toLowerCase() + "; try again later");
          e.getDebugInfo().put("retryAfter", wait == null ? 1L : wait);
          return Future.failedFuture(e);
        });
  }

  /** The attempt's answer: its first pass's reward waited for, if it can earn one. */
  private Future<JsonObject> answer(Graded g, boolean[] outcome) {
    UUID student = g.student();
    UUID assessment = g.assessment().getUUID("id");
    UUID course = g.assessment().getUUID("course_id");
    if (outcome[0]) {
      OutboxRelay.nudge(vertx, EducationEvents.SOURCE);
    }
    if (outcome[1]) {
      completion.issue(student, course);
    }
    Future<String> reward = outcome[0] && g.rewardable() ? rewards.await(student, assessment) : Future.succeededFuture("0");
    // reward is always a decimal string (the contract): "0" with rewardPending while finance has not
    // reported this pass's reward yet (it is paid all the same, and shows in the wallet when it is).
    return reward.map(r -> new JsonObject().put("id", g.id().toString()).put("assessmentId", assessment.toString())
        .put("score", g.score()).put("passed", g.passed()).put("passingScore", g.assessment().getInteger("passing_score"))
        .put("firstPass", outcome[0]).put("reward", r == null ? "0" : r).put("rewardPending", r == null)
        .put("courseCompleted", outcome[1]));
  }

  /**
   * Records the first pass and emits assessment.passed (saying whether it earns AZR, and at which level:
   * the one the admin reviewed); false when this learner passed before.
   */
  private static Future<Boolean> firstPass(SqlClient tx, Graded g) {
    Row a = g.assessment();
    UUID assessment = a.getUUID("id");
    return tx.preparedQuery("""
            INSERT INTO passes (student_id, assessment_id, course_id, attempt_id, score, reward) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT DO NOTHING RETURNING assessment_id""")
        .execute(Tuple.of(g.student(), assessment, a.getUUID("course_id"), g.id(), g.score(), g.rewardable() ? null : 0L))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(false)
            : Nexus.emit(tx, EducationEvents.ASSESSMENT_PASSED, new JsonObject()
                .put("userId", g.student().toString()).put("assessmentId", assessment.toString())
                .put("courseId", a.getUUID("course_id").toString()).put("score", g.score())
                .put("rewardable", g.rewardable())
                .put("difficulty", g.rewardable() ? a.getString("reward_level") : a.getString("difficulty"))
                .put("attemptId", g.id().toString()))
            .map(true));
  }



}
