package io.azora.marketplace;

import io.azora.platform.Caller;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.UUID;

/**
 * Ranked fits by {@link Matching}'s formula, read through the indexes rather than scanned: a job's
 * candidates from the verified-skills index of its skills, a person's jobs from the jobs' skills index
 * (GIN) of the skills they hold, kept in the shared cache until something they rank changes.
 */
final class Matches {

  private static final String CANDIDATES = ("""
      SELECT user_id, round(100 * sum(w) / cardinality($1::text[]) * REVIEWS_OF_USER, 1) AS score,
             array_agg(skill ORDER BY skill) AS matched
      FROM (SELECT v.user_id, v.skill,""" + " " + Matching.WEIGHT + """
             AS w
            FROM verified_skills v WHERE v.skill = ANY($1) AND v.user_id <> $2 GROUP BY v.user_id, v.skill) held
      GROUP BY user_id ORDER BY score DESC, user_id LIMIT""" + " " + Matching.MAX_CANDIDATES)
      .replace("REVIEWS_OF_USER", Matching.reviews("user_id"));
  private static final String JOBS = ("""
      WITH mine AS (
        SELECT v.skill,""" + " " + Matching.WEIGHT + """
       AS w FROM verified_skills v WHERE v.user_id = $1 GROUP BY v.skill)
      SELECT""" + " " + Jobs.COLUMNS + """
      , round(100 * sum(m.w) / cardinality(j.skills) * REVIEWS_OF_CALLER, 1) AS score,
        array_agg(m.skill ORDER BY m.skill) AS matched
      FROM jobs j JOIN mine m ON m.skill = ANY(j.skills)
      WHERE j.skills && (SELECT coalesce(array_agg(skill), '{}') FROM mine)
        AND j.status = 'open' AND j.deadline > now() AND j.employer_id <> $1
      GROUP BY j.id ORDER BY score DESC, j.created_at DESC, j.id LIMIT""" + " " + Matching.MAX_JOBS)
      .replace("REVIEWS_OF_CALLER", Matching.reviews("$1"));

  private final Pool pool;
  /** Each person's ranked matches through the shared cache (entry, load of the JSON text). */
  private final TextCache cache;

  /** The shared cache, as Matches uses it. */
  interface TextCache {
    Future<String> read(String entry, java.util.function.Supplier<Future<String>> load);
  }

  Matches(Pool pool, TextCache cache) {
    this.pool = pool;
    this.cache = cache;
  }

  /** A job's best candidates, for its employer (or an admin): {@code [{userId, score, matchedSkills}]}. */
  Future<JsonArray> candidates(Caller caller, String jobId) {
    UUID job = Jobs.uuid(jobId);
    if (job == null) {
      return Problems.fail(Problems.notFound("No such job"));
    }
    return pool.preparedQuery("SELECT employer_id, skills FROM jobs WHERE id = $1").execute(Tuple.of(job))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Problems.fail(Problems.notFound("No such job"));
          }
          Row row = rows.iterator().next();
          if (!row.getUUID("employer_id").equals(caller.userUuid()) && !caller.isAdmin()) {
            return Problems.fail(Problems.forbidden("Only the job's employer sees its candidates"));
          }
          return pool.preparedQuery(CANDIDATES)
              .execute(Tuple.tuple().addArrayOfString(row.getArrayOfStrings("skills")).addUUID(row.getUUID("employer_id")));
        })
        .map(rows -> {
          JsonArray items = new JsonArray();
          for (Row row : rows) {
            items.add(new JsonObject().put("userId", row.getUUID("user_id").toString())
                .put("score", row.getBigDecimal("score").doubleValue())
                .put("matchedSkills", new JsonArray(List.of(row.getArrayOfStrings("matched")))));
          }
          return items;
        });
  }

  /**
   * Open jobs ranked by the caller's fit: {@code [{job, score, matchedSkills}]}, from the shared cache while
   * no job, skill or review changed (the gateway answers hits itself).
   */
  Future<JsonArray> jobsFor(Caller caller) {
    return cache.read(io.azora.platform.SharedRedis.Jobs.matchesEntry(caller.userId()), () -> rank(caller).map(JsonArray::encode))
        .map(JsonArray::new);
  }

  private Future<JsonArray> rank(Caller caller) {
    return pool.preparedQuery(JOBS).execute(Tuple.of(caller.userUuid())).map(rows -> {
      JsonArray items = new JsonArray();
      for (Row row : rows) {
        items.add(new JsonObject().put("job", Jobs.json(row)).put("score", row.getBigDecimal("score").doubleValue())
            .put("matchedSkills", new JsonArray(List.of(row.getArrayOfStrings("matched")))));
      }
      return items;
    });
  }
}
