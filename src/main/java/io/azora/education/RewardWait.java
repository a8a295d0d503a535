package io.azora.education;

import io.azora.platform.Deadline;
import io.azora.platform.DomainEvent;
import io.azora.platform.Money;
import io.azora.platform.RequestContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A first pass's answer waits a moment for its reward: finance mints it from assessment.passed and reports
 * it with tokens.mined, which this remembers on the pass and tells, cluster-wide, to whichever node's
 * attempt is waiting. The wait ends at the reward, at {@code education.rewardWaitMs}, or before the
 * request's deadline, whichever comes first.
 */
final class RewardWait {

  private static final String REWARD = "SELECT reward FROM passes WHERE student_id = $1 AND assessment_id = $2";
  /** Published (cluster-wide) when a pass's reward is known, to whichever node's attempt waits for it. */
  static final String REWARD_KNOWN = "education.reward-known";
  /** A check of the database in case a notice went astray (a node that left, a wait that began late). */
  private static final long RECHECK_MS = 500;

  private final Vertx vertx;
  private final Pool pool;
  private final long waitMs;
  private final Map<String, Promise<String>> waiting = new ConcurrentHashMap<>();
  private MessageConsumer<JsonObject> notices;

  RewardWait(Vertx vertx, Pool pool, long waitMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.waitMs = waitMs;
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

  /**
   * The reward finance reports for this pass, waited for a moment (told by {@link #REWARD_KNOWN}, checked
   * in the database now and then); null if it has not arrived by then.
   */
  Future<String> await(UUID student, UUID assessment) {
    String key = student + ":" + assessment;
    Promise<String> result = Promise.promise();
    waiting.put(key, result);
    // Never past the request's deadline (less the margin its answer needs): a pass that committed must not
    // reach its learner as a 503.
    long wait = Math.max(1, Math.min(waitMs, Deadline.remainingMs(waitMs) - Deadline.HOP_MARGIN_MS));
    long timer = vertx.setTimer(wait, t -> result.tryComplete(null));
    check(student, assessment, result);
    // Told by a notice on another context: the answer goes on as this request.
    return RequestContext.resumeHere(result.future().onComplete(ar -> {
      waiting.remove(key, result);
      vertx.cancelTimer(timer);
    }));
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
