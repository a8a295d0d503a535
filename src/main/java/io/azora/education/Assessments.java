package io.azora.education;

import io.azora.platform.DomainEvent;
import io.azora.platform.Money;
import io.azora.platform.Nexus;
import io.azora.platform.OutboxRelay;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Attempts at assessments: graded here (answers never leave the database), stored, and the first pass
 * of each learner emits assessment.passed, which finance turns into a Proof-of-Knowledge reward and
 * reports back with tokens.mined. The attempt's answer waits briefly for that reward.
 */
final class Assessments {

  private static final String LOAD = """
      SELECT a.*, EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = a.course_id AND e.student_id = $2) AS enrolled,
             EXISTS (SELECT 1 FROM passes p WHERE p.assessment_id = a.id AND p.student_id = $2) AS passed_before
      FROM assessments a WHERE a.id = $1""";
  private static final String INSERT_ATTEMPT = """
      INSERT INTO attempts (id, assessment_id, student_id, answers, score, passed) VALUES ($1, $2, $3, $4, $5, $6)""";
  private static final String REWARD = "SELECT reward FROM passes WHERE student_id = $1 AND assessment_id = $2";
  /** Published (cluster-wide) when a pass's reward is known, to whichever node's attempt waits for it. */
  static final String REWARD_KNOWN = "education.reward-known";
  /** A check of the database in case a notice went astray (a node that left, a wait that began late). */
  private static final long RECHECK_MS = 500;

  private final Vertx vertx;
  private final Pool pool;
  private final Completion completion;
  private final long rewardWaitMs;
  private final Map<String, Promise<String>> waiting = new ConcurrentHashMap<>();
  private MessageConsumer<JsonObject> notices;

  Assessments(Vertx vertx, Pool pool, Completion completion, long rewardWaitMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.completion = completion;
    this.rewardWaitMs = rewardWaitMs;
  }

  /** Listens for rewards becoming known, so a waiting attempt answers at once instead of polling. */
  Future<Void> start() {
    notices = vertx.eventBus().consumer(REWARD_KNOWN, msg -> {
      Promise<String> waiter = waiting.remove(msg.body().getString("key"));
      if (waiter != null) {
        waiter.tryComplete(msg.body().getString("reward"));
      }
    });
    return notices.completion();
  }

  Future<Void> stop() {
    return notices == null ? Future.succeededFuture() : notices.unregister();
  }

  Future<JsonObject> attempt(Who who, String assessmentId, JsonObject request) {
    if (who.anonymous()) {
      return Problems.fail(Problems.unauthorized("Sign in first"));
    }
    UUID student = who.userId();
    UUID id = UUID.randomUUID();
    return pool.preparedQuery(LOAD).execute(Tuple.of(Catalog.uuid(assessmentId), student)).compose(rows -> {
      if (rows.size() == 0) {
        return Problems.fail(Problems.notFound("No such assessment"));
      }
      Row a = rows.iterator().next();
      if (!a.getBoolean("enrolled")) {
        return Problems.fail(Problems.forbidden("Enroll in the course first"));
      }
      JsonArray questions = (JsonArray) a.getValue("questions");
      Map<Integer, Object> answers = new HashMap<>();
      JsonArray given = request.getJsonArray("answers", new JsonArray());
      for (int i = 0; i < given.size(); i++) {
        JsonObject answer = given.getJsonObject(i);
        Integer index = answer.getInteger("questionIndex");
        if (index == null || index < 0 || index >= questions.size() || answers.containsKey(index)) {
          return Problems.fail(Problems.invalid("answers[" + i + "].questionIndex",
              "must name a question of this assessment (0.." + (questions.size() - 1) + "), once"));
        }
        answers.put(index, answer.getValue("value"));
      }
      int score = Questions.score(questions, answers);
      boolean passed = score >= a.getInteger("passing_score");
      UUID course = a.getUUID("course_id");
      UUID assessment = a.getUUID("id");
      Tuple attempt = Tuple.of(id, assessment, student, given, score, passed);
      // Only a learner's first pass has more to do than store the attempt (one statement, no transaction).
      Future<boolean[]> stored = !passed || a.getBoolean("passed_before")
          ? pool.preparedQuery(INSERT_ATTEMPT).execute(attempt).map(v -> new boolean[] {false, false})
          : pool.withTransaction(tx -> tx.preparedQuery(INSERT_ATTEMPT).execute(attempt)
              .compose(v -> firstPass(tx, student, a, id, score))
              .compose(first -> (first ? Completion.check(tx, student, course) : Future.succeededFuture(false))
                  .map(completed -> new boolean[] {first, completed})));
      return stored.compose(outcome -> {
        if (outcome[0]) {
          OutboxRelay.nudge(vertx, EducationServiceImpl.SOURCE);
        }
        if (outcome[1]) {
          completion.issue(student, course);
        }
        Future<String> reward = outcome[0] ? awaitReward(student, assessment) : Future.succeededFuture("0");
        return reward.map(r -> new JsonObject().put("id", id.toString()).put("assessmentId", assessment.toString())
            .put("score", score).put("passed", passed).put("passingScore", a.getInteger("passing_score"))
            .put("firstPass", outcome[0]).put("reward", r).put("courseCompleted", outcome[1]));
      });
    });
  }

  /** Records the first pass and emits assessment.passed; false when this learner passed before. */
  private static Future<Boolean> firstPass(SqlClient tx, UUID student, Row assessment, UUID attempt, int score) {
    return tx.preparedQuery("""
            INSERT INTO passes (student_id, assessment_id, course_id, attempt_id, score) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT DO NOTHING RETURNING assessment_id""")
        .execute(Tuple.of(student, assessment.getUUID("id"), assessment.getUUID("course_id"), attempt, score))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(false)
            : Nexus.emit(tx, EducationServiceImpl.SOURCE, "assessment.passed", new JsonObject()
                .put("userId", student.toString()).put("assessmentId", assessment.getUUID("id").toString())
                .put("courseId", assessment.getUUID("course_id").toString()).put("score", score)
                .put("difficulty", assessment.getString("difficulty")).put("attemptId", attempt.toString()))
            .map(true));
  }

  /**
   * The reward finance reports for this pass, waited for a moment (told by {@link #REWARD_KNOWN}, checked
   * in the database now and then); null if it has not arrived by then.
   */
  private Future<String> awaitReward(UUID student, UUID assessment) {
    String key = student + ":" + assessment;
    Promise<String> result = Promise.promise();
    waiting.put(key, result);
    long timer = vertx.setTimer(rewardWaitMs, t -> result.tryComplete(null));
    check(student, assessment, result);
    return result.future().onComplete(ar -> {
      waiting.remove(key, result);
      vertx.cancelTimer(timer);
    });
  }

  private void check(UUID student, UUID assessment, Promise<String> result) {
    pool.preparedQuery(REWARD).execute(Tuple.of(student, assessment)).onComplete(ar -> {
      Long reward = ar.succeeded() && ar.result().size() > 0 ? ar.result().iterator().next().getLong(0) : null;
      if (reward != null) {
        result.tryComplete(Money.format(reward));
      } else if (!result.future().isComplete()) {
        vertx.setTimer(RECHECK_MS, t -> {
          if (!result.future().isComplete()) {
            check(student, assessment, result);
          }
        });
      }
    });
  }

  /** Nexus: finance mined the reward of a pass (tokens.mined); remembered, and told to the waiting attempt. */
  Future<Void> onMined(SqlClient tx, DomainEvent event) {
    JsonObject data = event.data();
    if (!"assessment_passed".equals(data.getString("activityType"))) {
      return Future.succeededFuture();
    }
    UUID student;
    UUID assessment;
    long reward;
    try {
      student = UUID.fromString(data.getString("userId"));
      assessment = UUID.fromString(data.getString("activityId"));
      reward = Money.parse(data.getString("tokens"), "tokens");
    } catch (RuntimeException e) {
      return Future.succeededFuture();  // not one of ours
    }
    return tx.preparedQuery("UPDATE passes SET reward = $3 WHERE student_id = $1 AND assessment_id = $2")
        .execute(Tuple.of(student, assessment, reward))
        // Finance has minted it, so the figure is final even before this transaction commits.
        .onSuccess(v -> vertx.eventBus().publish(REWARD_KNOWN, new JsonObject()
            .put("key", student + ":" + assessment).put("reward", Money.format(reward))))
        .mapEmpty();
  }
}
