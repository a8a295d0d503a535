package io.azora.finance;

import io.azora.education.EducationEvents;
import io.azora.platform.DomainEvent;
import io.azora.platform.Ids;
import io.azora.platform.Money;
import io.azora.platform.Nexus;
import io.azora.platform.Numbers;
import io.azora.platform.OutboxRelay;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Proof-of-Knowledge mining: each activity education verifies (assessment.passed, course.completed)
 * mints exactly one reward to its learner, however often the event arrives, within the learner's daily
 * cap and the maximum supply. Every mint takes the mining_state row lock, which orders mints and keeps
 * the supply check and the mint in one step.
 */
final class Mining {

  static final Set<String> TYPES = Set.of("assessment_passed", "course_completion");
  private static final String RECORD = """
      INSERT INTO verified_activities (user_id, activity_type, activity_id, difficulty, score, event_id)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""";
  private static final String VERIFIED = """
      SELECT difficulty, score FROM verified_activities WHERE user_id = $1 AND activity_type = $2 AND activity_id = $3""";
  /**
   * The AZR in circulation: issued, plus what buyers owe after refunds and chargebacks (the treasury got
   * those back from clearing, not from the buyers, so they still circulate). Mints stay under the cap with it.
   */
  private static final String SUPPLY = """
      SELECT -i.balance + greatest(0, -c.balance) FROM accounts i, accounts c
      WHERE i.code = 'issuance' AND c.code = 'stripe_clearing'""";
  /** Under the mint lock, in one round trip: the activity's reward if mined, the learner's UTC day so far, the supply. */
  private static final String STATE = """
      SELECT r.id, r.tokens, r.mined_at,
             (SELECT coalesce(sum(tokens), 0)::bigint FROM mining_rewards
              WHERE user_id = $1 AND mined_at >= date_trunc('day', now(), 'UTC')) AS today,
             (%s) AS supply
      FROM (SELECT 1) one
      LEFT JOIN mining_rewards r ON r.user_id = $1 AND r.activity_type = $2 AND r.activity_id = $3""".formatted(SUPPLY);
  /** The reward and the mining counters, in one statement. */
  private static final String INSERT_REWARD = """
      WITH reward AS (INSERT INTO mining_rewards (id, user_id, activity_type, activity_id, tokens, epoch)
                      VALUES ($1, $2, $3, $4, $5, $6) RETURNING mined_at),
           counted AS (UPDATE mining_state SET rewards = rewards + $7, mined = mined + $5)
      SELECT mined_at FROM reward""";

  private final Vertx vertx;
  private final Pool pool;
  private final FinanceConfig config;
  private final MiningRewards rewards;
  /** Verified activities handled (each mined once, or found mined already): the mining rate's numerator. */
  private final io.micrometer.core.instrument.Counter rewarded;

  Mining(Vertx vertx, Pool pool, FinanceConfig config) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
    this.rewards = new MiningRewards(config.mining());
    this.rewarded = io.micrometer.core.instrument.Counter.builder("azora.mining.rewards")
        .description("Verified activities (passes, completions) whose reward was mined").register(io.azora.platform.NodeMetrics.of(vertx));
  }

  /** Takes the mint lock; answers (rewards so far, AZR mined so far). All minting goes through here first. */
  static Future<long[]> lockMinting(SqlClient tx) {
    return tx.query("SELECT rewards, mined FROM mining_state FOR UPDATE").execute()
        .map(rows -> {
          Row row = rows.iterator().next();
          return new long[] {row.getLong(0), row.getLong(1)};
        });
  }

  /** What minting may still add: the maximum supply minus the AZR issued (read under the mint lock). */
  static Future<Long> supplyRoom(SqlClient tx, long maxSupply) {
    return tx.query(SUPPLY).execute().map(rows -> Math.max(0, maxSupply - rows.iterator().next().getLong(0)));
  }

  /** Nexus: education verified an activity. Records it and mines its reward, in the inbox's transaction. */
  Future<Void> onVerified(SqlClient tx, DomainEvent event) {
    JsonObject data = event.data();
    if (!Boolean.TRUE.equals(data.getValue("rewardable"))) {
      // Education says what earns (a verified course, not its instructor, an assessment above the minimums).
      return Future.succeededFuture();
    }
    boolean course = EducationEvents.COURSE_COMPLETED.name().equals(event.type());
    String type = course ? "course_completion" : "assessment_passed";
    String learner = Ids.canonical(data.getString("userId"));
    String activityId = Ids.canonicalIfUuid(data.getString(course ? "courseId" : "assessmentId"));
    String difficulty = data.getString("difficulty", data.getString("level", "beginner"));
    Object score = data.getValue("score");
    BigDecimal s = score == null ? null : Numbers.parse(String.valueOf(score));
    if (learner == null || activityId == null || score != null && s == null) {
      // Never minted: parked for an operator to see, and the feed moves on.
      return Future.failedFuture(new Nexus.Malformed("no valid userId, activity id or score in " + data.encode()));
    }
    return tx.preparedQuery(RECORD).execute(Tuple.of(UUID.fromString(learner), type, activityId, difficulty, s,
            UUID.fromString(event.id())))
        .compose(v -> mine(tx, learner, type, activityId, difficulty, s))
        .onSuccess(v -> rewarded.increment())
        .mapEmpty();
  }

  /**
   * POST /mining/start: the reward of an activity the platform verified for this user (mined now if it
   * was not yet); 422 for an activity never verified. {@code created} says whether this call mined it.
   */
  Future<JsonObject> start(String userId, JsonObject request) {
    String type = request.getString("activityType");
    String activityId = Ids.canonicalIfUuid(request.getString("activityId"));
    if (!TYPES.contains(type)) {
      return Problems.fail(Problems.invalid("activityType", "must be one of " + TYPES));
    }
    return pool.withTransaction(tx -> tx.preparedQuery(VERIFIED)
            .execute(Tuple.of(UUID.fromString(userId), type, activityId))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Problems.fail(Problems.of(422, "activity_not_verified",
                    "This activity has not been verified for you (a passed assessment or a completed course)"));
              }
              Row row = rows.iterator().next();
              return mine(tx, userId, type, activityId, row.getString("difficulty"), row.getBigDecimal("score"));
            }))
        .onSuccess(r -> OutboxRelay.nudge(vertx, FinanceEvents.SOURCE));
  }

  /**
   * Mines the activity's reward once; a second call answers the first reward (created = false). The
   * mint lock orders every mint, so what runs while it is held is kept to three statements and the commit.
   */
  private Future<JsonObject> mine(SqlClient tx, String userId, String type, String activityId, String difficulty,
                                  BigDecimal score) {
    UUID user = UUID.fromString(userId);
    return Ledger.openWallet(tx, userId)  // before the lock: per learner, and idempotent
        .compose(v -> lockMinting(tx))
        .compose(state -> tx.preparedQuery(STATE).execute(Tuple.of(user, type, activityId))
            .compose(rows -> {
              Row row = rows.iterator().next();
              if (row.getUUID("id") != null) {
                return Future.succeededFuture(result(row.getUUID("id"), userId, type, activityId, row.getLong("tokens"),
                    row.getOffsetDateTime("mined_at").toInstant().toString(), false));
              }
              int epoch = rewards.epoch(state[0]);
              long computed = rewards.reward(type, difficulty, score, epoch);
              long dailyRoom = Math.max(0, config.mining().dailyCap() - row.getLong("today"));
              long supplyRoom = Math.max(0, config.maxSupply() - row.getLong("supply"));
              return record(tx, userId, type, activityId, epoch, Math.min(computed, Math.min(dailyRoom, supplyRoom)));
            }));
  }

  private Future<JsonObject> record(SqlClient tx, String userId, String type, String activityId, int epoch, long tokens) {
    UUID id = Ids.derive("reward", userId, type, activityId);
    JsonObject data = new JsonObject().put("userId", userId).put("activityType", type).put("activityId", activityId)
        .put("rewardId", id.toString()).put("tokens", Money.format(tokens)).put("epoch", epoch);
    DomainEvent event = DomainEvent.create(FinanceEvents.TOKENS_MINED, data);
    return tx.preparedQuery(INSERT_REWARD)
        .execute(Tuple.of(id, UUID.fromString(userId), type, activityId, tokens, epoch, tokens > 0 ? 1 : 0))
        .compose(rows -> {
          String minedAt = rows.iterator().next().getOffsetDateTime(0).toInstant().toString();
          Future<?> moved = tokens == 0
              ? Nexus.emit(tx, event)
              : Ledger.post(tx, List.of(Posting.posted(id, "reward", Accounts.ISSUANCE, Accounts.wallet(userId), tokens,
                  "Proof-of-Knowledge: " + type.replace('_', ' '))), null, List.of(event));
          return moved.map(v -> result(id, userId, type, activityId, tokens, minedAt, true));
        });
  }

  private static JsonObject result(UUID id, String userId, String type, String activityId, long tokens, String minedAt,
                                   boolean created) {
    return new JsonObject().put("id", id.toString()).put("walletId", Accounts.wallet(userId).toString())
        .put("activityId", activityId).put("activityType", type).put("tokensEarned", Money.format(tokens))
        .put("minedAt", minedAt).put("created", created);
  }

  /** GET /mining/stats. */
  Future<JsonObject> stats() {
    return pool.query("""
            SELECT rewards, mined, (SELECT -balance FROM accounts WHERE code = 'issuance') AS supply,
                   (SELECT greatest(0, -balance) FROM accounts WHERE code = 'stripe_clearing') AS owed
            FROM mining_state""")
        .execute().map(rows -> {
          Row row = rows.iterator().next();
          long count = row.getLong("rewards");
          int epoch = rewards.epoch(count);
          return new JsonObject().put("maxSupply", Money.format(config.maxSupply()))
              .put("totalSupply", Money.format(row.getLong("supply"))).put("mined", Money.format(row.getLong("mined")))
              // Refunded or charged back but spent: still in circulation, so counted against the cap too.
              .put("owed", Money.format(row.getLong("owed")))
              .put("epoch", epoch).put("currentMultiplier", MiningRewards.multiplier(epoch).toPlainString())
              .put("rewardsThisEpoch", count - epoch * config.mining().epochRewards())
              .put("epochRewards", config.mining().epochRewards())
              .put("dailyCap", Money.format(config.mining().dailyCap()));
        });
  }
}
