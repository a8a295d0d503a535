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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Proof-of-Knowledge mining: each activity education verifies (assessment.passed, course.completed)
 * mints exactly one reward to its learner, however often the event arrives, within the learner's daily
 * cap and the maximum supply. The event's inbox transaction records the activity and queues it (no lock);
 * {@link MintBatches} then mints everything queued under the mining_state row lock in one transaction,
 * which orders mints and keeps the epochs and both caps exact, as if they had been minted one by one.
 */
final class Mining {

  static final Set<String> TYPES = Set.of("assessment_passed", "course_completion");

  /** A verified activity to reward, and what its reward depends on. */
  record Activity(UUID user, String type, String activityId, String difficulty, BigDecimal score) {
  }

  /** Records the activity and, if it is new, queues its reward: one statement. */
  private static final String RECORD_AND_QUEUE = """
      WITH recorded AS (
        INSERT INTO verified_activities (user_id, activity_type, activity_id, difficulty, score, event_id)
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
        RETURNING user_id, activity_type, activity_id)
      INSERT INTO mint_queue (user_id, activity_type, activity_id) SELECT * FROM recorded""";
  private static final String VERIFIED = """
      SELECT difficulty, score FROM verified_activities WHERE user_id = $1 AND activity_type = $2 AND activity_id = $3""";
  /** The learner's first ask for this reward: true once, whoever minted it (the queue, or this call). */
  private static final String CLAIM = """
      UPDATE mining_rewards SET claimed_at = clock_timestamp()
      WHERE user_id = $1 AND activity_type = $2 AND activity_id = $3 AND claimed_at IS NULL""";
  /** Oldest first, with what each reward depends on. */
  private static final String QUEUED = """
      SELECT q.user_id, q.activity_type, q.activity_id, v.difficulty, v.score
      FROM mint_queue q JOIN verified_activities v USING (user_id, activity_type, activity_id)
      ORDER BY q.queued_at LIMIT $1""";
  private static final String ANY_QUEUED = "SELECT EXISTS (SELECT 1 FROM mint_queue)";
  private static final String DEQUEUE = """
      DELETE FROM mint_queue q USING unnest($1::uuid[], $2::text[], $3::text[]) AS d(user_id, activity_type, activity_id)
      WHERE q.user_id = d.user_id AND q.activity_type = d.activity_type AND q.activity_id = d.activity_id""";
  /**
   * The AZR in circulation: issued, plus what buyers owe after refunds and chargebacks (the treasury got
   * those back from clearing, not from the buyers, so they still circulate). Mints stay under the cap with it.
   */
  private static final String SUPPLY = """
      SELECT -i.balance + greatest(0, -c.balance) FROM accounts i, accounts c
      WHERE i.code = 'issuance' AND c.code = 'stripe_clearing'""";
  /**
   * Under the mint lock, in one round trip, for each activity in order: its reward if mined, its learner's
   * UTC day so far; and the supply.
   */
  private static final String STATE = """
      SELECT r.id, r.tokens, r.mined_at,
             (SELECT coalesce(sum(t.tokens), 0)::bigint FROM mining_rewards t
              WHERE t.user_id = a.user_id AND t.mined_at >= date_trunc('day', now(), 'UTC')) AS today,
             (%s) AS supply
      FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS a(user_id, activity_type, activity_id, n)
      LEFT JOIN mining_rewards r USING (user_id, activity_type, activity_id)
      ORDER BY a.n""".formatted(SUPPLY);
  /** The rewards and the mining counters, in one statement. */
  private static final String INSERT_REWARDS = """
      WITH reward AS (INSERT INTO mining_rewards (id, user_id, activity_type, activity_id, tokens, epoch)
                      SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::int[])
                      RETURNING id, mined_at),
           counted AS (UPDATE mining_state SET rewards = rewards + $7, mined = mined + $8)
      SELECT id, mined_at FROM reward""";

  private final Vertx vertx;
  private final Pool pool;
  private final FinanceConfig config;
  private final MiningRewards rewards;
  /** Rewards mined (one per verified activity): the mining rate's numerator. */
  private final io.micrometer.core.instrument.Counter rewarded;
  /** How many rewards each mint transaction carried. */
  private final io.micrometer.core.instrument.DistributionSummary batchSizes;

  Mining(Vertx vertx, Pool pool, FinanceConfig config) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
    this.rewards = new MiningRewards(config.mining());
    io.micrometer.core.instrument.MeterRegistry registry = io.azora.platform.NodeMetrics.of(vertx);
    this.rewarded = io.micrometer.core.instrument.Counter.builder("azora.mining.rewards")
        .description("Verified activities (passes, completions) whose reward was mined").register(registry);
    this.batchSizes = io.micrometer.core.instrument.DistributionSummary.builder("azora.mining.batch.size")
        .description("Rewards mined per mint transaction").register(registry);
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

  /**
   * Nexus: education verified an activity. Records it, opens the learner's wallet and queues the reward,
   * in the inbox's transaction; {@link MintBatches} mints it once that commits.
   */
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
    return Ledger.openWallet(tx, learner)
        .compose(v -> tx.preparedQuery(RECORD_AND_QUEUE).execute(Tuple.of(UUID.fromString(learner), type, activityId,
            difficulty, s, UUID.fromString(event.id()))))
        .mapEmpty();
  }

  /**
   * POST /mining/start: the reward of an activity the platform verified for this user (mined now if it
   * was not yet); 422 for an activity never verified. {@code created} says whether this is the learner's
   * first ask for it (201): rewards are usually minted from the queue before anyone asks.
   */
  Future<JsonObject> start(String userId, JsonObject request) {
    String type = request.getString("activityType");
    String activityId = Ids.canonicalIfUuid(request.getString("activityId"));
    if (!TYPES.contains(type)) {
      return Problems.fail(Problems.invalid("activityType", "must be one of " + TYPES));
    }
    UUID user = UUID.fromString(userId);
    AtomicReference<List<JsonObject>> minted = new AtomicReference<>();
    return pool.withTransaction(tx -> tx.preparedQuery(VERIFIED).execute(Tuple.of(user, type, activityId))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Problems.fail(Problems.of(422, "activity_not_verified",
                    "This activity has not been verified for you (a passed assessment or a completed course)"));
              }
              Row row = rows.iterator().next();
              Activity activity = new Activity(user, type, activityId, row.getString("difficulty"), row.getBigDecimal("score"));
              return Ledger.openWallet(tx, userId)  // before the lock: per learner, and idempotent
                  .compose(v -> lockMinting(tx))
                  .compose(state -> mint(tx, state, List.of(activity)))
                  .compose(results -> {
                    minted.set(results);
                    return tx.preparedQuery(CLAIM).execute(Tuple.of(user, type, activityId))
                        .map(claimed -> results.get(0).copy().put("created", claimed.rowCount() == 1));
                  });
            }))
        .onSuccess(answer -> committed(minted.get()));
  }

  /** Whether any reward is queued (no lock): what a sweep asks before it takes the lock. */
  Future<Boolean> anyQueued() {
    return pool.query(ANY_QUEUED).execute().map(rows -> rows.iterator().next().getBoolean(0));
  }

  /** Mines up to {@code max} queued rewards, oldest first, in one transaction; answers how many it took. */
  Future<Integer> mintQueued(int max) {
    return pool.withTransaction(tx -> lockMinting(tx)
        .compose(state -> tx.preparedQuery(QUEUED).execute(Tuple.of(max))
            .compose(rows -> {
              List<Activity> queued = new ArrayList<>(rows.size());
              for (Row row : rows) {
                queued.add(new Activity(row.getUUID("user_id"), row.getString("activity_type"), row.getString("activity_id"),
                    row.getString("difficulty"), row.getBigDecimal("score")));
              }
              return queued.isEmpty() ? Future.succeededFuture(List.<JsonObject>of()) : mint(tx, state, queued);
            })))
        .onSuccess(this::committed)
        .map(List::size);
  }

  /** After a mint transaction committed: its events go out now, and the rewards it created are counted. */
  private void committed(List<JsonObject> results) {
    long created = results.stream().filter(r -> r.getBoolean("created")).count();
    if (created > 0) {
      OutboxRelay.nudge(vertx, FinanceEvents.SOURCE);
      rewarded.increment(created);
      batchSizes.record(created);
    }
  }

  /**
   * Under the mint lock ({@code state}, from {@link #lockMinting}): mines each of {@code activities}
   * (distinct) not mined yet, in order, as if one by one: each reward's epoch counts the rewards before it
   * and each takes what its learner's day and the supply leave. Answers each one's reward ({@code created}
   * false for one mined before) and takes them off the queue. Their learners' wallets must be open.
   */
  private Future<List<JsonObject>> mint(SqlClient tx, long[] state, List<Activity> activities) {
    return tx.preparedQuery(STATE).execute(keys(activities)).compose(rows -> {
      JsonObject[] results = new JsonObject[activities.size()];
      List<Activity> fresh = new ArrayList<>();
      List<Long> tokens = new ArrayList<>();
      List<Integer> epochs = new ArrayList<>();
      Map<UUID, Long> today = new HashMap<>();
      long count = state[0];
      long supplyRoom = Math.max(0, config.maxSupply() - rows.iterator().next().getLong("supply"));  // the same on every row
      int i = 0;
      for (Row row : rows) {
        Activity a = activities.get(i);
        if (row.getUUID("id") != null) {
          results[i++] = result(row.getUUID("id"), a, row.getLong("tokens"), row.getOffsetDateTime("mined_at").toInstant().toString(), false);
          continue;
        }
        long day = today.computeIfAbsent(a.user(), u -> row.getLong("today"));
        int epoch = rewards.epoch(count);
        long computed = rewards.reward(a.type(), a.difficulty(), a.score(), epoch);
        long paid = Math.min(computed, Math.min(Math.max(0, config.mining().dailyCap() - day), supplyRoom));
        today.put(a.user(), day + paid);
        supplyRoom -= paid;
        count += paid > 0 ? 1 : 0;
        fresh.add(a);
        tokens.add(paid);
        epochs.add(epoch);
        i++;
      }
      return record(tx, fresh, tokens, epochs, count - state[0]).map(minted -> {
        int next = 0;
        for (int k = 0; k < results.length; k++) {
          if (results[k] == null) {
            results[k] = minted.get(next++);
          }
        }
        return Arrays.asList(results);
      });
    }).compose(results -> tx.preparedQuery(DEQUEUE).execute(keys(activities)).map(results));
  }

  /** Writes the new rewards, the counters, their ledger postings and their tokens.mined events. */
  private Future<List<JsonObject>> record(SqlClient tx, List<Activity> fresh, List<Long> tokens, List<Integer> epochs,
                                          long paying) {
    if (fresh.isEmpty()) {
      return Future.succeededFuture(new ArrayList<>());
    }
    int n = fresh.size();
    UUID[] ids = new UUID[n];
    UUID[] users = new UUID[n];
    String[] types = new String[n];
    String[] activityIds = new String[n];
    long mined = 0;
    List<Ledger.Group> postings = new ArrayList<>();
    List<DomainEvent> unpaid = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      Activity a = fresh.get(k);
      String userId = a.user().toString();
      ids[k] = Ids.derive("reward", userId, a.type(), a.activityId());
      users[k] = a.user();
      types[k] = a.type();
      activityIds[k] = a.activityId();
      long paid = tokens.get(k);
      mined += paid;
      DomainEvent event = DomainEvent.create(FinanceEvents.TOKENS_MINED, new JsonObject().put("userId", userId)
          .put("activityType", a.type()).put("activityId", a.activityId()).put("rewardId", ids[k].toString())
          .put("tokens", Money.format(paid)).put("epoch", epochs.get(k)));
      if (paid == 0) {
        unpaid.add(event);
      } else {
        // One group per reward: its transfer and its event.
        postings.add(new Ledger.Group(List.of(Posting.posted(ids[k], "reward", Accounts.ISSUANCE, Accounts.wallet(userId),
            paid, "Proof-of-Knowledge: " + a.type().replace('_', ' '))), null, List.of(event)));
      }
    }
    Tuple params = Tuple.tuple().addArrayOfUUID(ids).addArrayOfUUID(users).addArrayOfString(types)
        .addArrayOfString(activityIds).addArrayOfLong(tokens.toArray(Long[]::new)).addArrayOfInteger(epochs.toArray(Integer[]::new))
        .addLong(paying).addLong(mined);
    return tx.preparedQuery(INSERT_REWARDS).execute(params).compose(rows -> {
      Map<UUID, String> minedAt = new HashMap<>();
      rows.forEach(row -> minedAt.put(row.getUUID("id"), row.getOffsetDateTime("mined_at").toInstant().toString()));
      Future<Void> emitted = Ledger.postAll(tx, postings);
      for (DomainEvent event : unpaid) {
        emitted = emitted.compose(v -> Nexus.emit(tx, event).mapEmpty());
      }
      return emitted.map(v -> {
        List<JsonObject> results = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
          results.add(result(ids[k], fresh.get(k), tokens.get(k), minedAt.get(ids[k]), true));
        }
        return results;
      });
    });
  }

  /** The activities' keys as three arrays ($1 users, $2 types, $3 activity ids). */
  private static Tuple keys(List<Activity> activities) {
    return Tuple.tuple().addArrayOfUUID(activities.stream().map(Activity::user).toArray(UUID[]::new))
        .addArrayOfString(activities.stream().map(Activity::type).toArray(String[]::new))
        .addArrayOfString(activities.stream().map(Activity::activityId).toArray(String[]::new));
  }

  private static JsonObject result(UUID id, Activity a, long tokens, String minedAt, boolean created) {
    return new JsonObject().put("id", id.toString()).put("walletId", Accounts.wallet(a.user().toString()).toString())
        .put("activityId", a.activityId()).put("activityType", a.type()).put("tokensEarned", Money.format(tokens))
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
