package io.azora.tutoring;

import io.azora.platform.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The prompts of the courses' assessments, kept from education's assessment.added (prompts only: tutoring
 * never has an answer or a key), so that Elara can tell when a learner asks her an assessment question and
 * answer it Socratically: hints and a question that leads there, never the answer.
 */
final class AssessmentPrompts {

  /** Prompts of one assessment kept at most (an assessment has at most this many questions anyway). */
  static final int MAX_PROMPTS = 200;
  /** A question is an assessment's when it shares this share of the prompt's words (and at least two). */
  static final double SAME_QUESTION = 0.6;

  private static final String CANDIDATES = """
      SELECT p.title, p.prompt FROM assessment_prompts p,
        to_tsquery('english', replace(plainto_tsquery('english', $1)::text, '&', '|')) q
      WHERE p.course_id = ANY($2) AND p.search @@ q
      ORDER BY ts_rank_cd(p.search, q) DESC LIMIT 5""";

  /** The assessment question a learner's question is, by its assessment's title and its prompt. */
  record Match(String assessmentTitle, String prompt) {
  }

  private final Pool pool;

  AssessmentPrompts(Pool pool) {
    this.pool = pool;
  }

  /** Nexus: assessment.added. */
  static Future<Void> onAdded(SqlClient tx, DomainEvent event) {
    JsonObject data = event.data();
    JsonArray prompts = data.getJsonArray("prompts", new JsonArray());
    List<Tuple> rows = new ArrayList<>();
    for (int i = 0; i < Math.min(prompts.size(), MAX_PROMPTS); i++) {
      if (prompts.getValue(i) instanceof String prompt && !prompt.isBlank()) {
        rows.add(Tuple.of(UUID.fromString(data.getString("assessmentId")), i, UUID.fromString(data.getString("courseId")),
            data.getString("title", "the assessment"), prompt));
      }
    }
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery("""
            INSERT INTO assessment_prompts (assessment_id, part, course_id, title, prompt) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT DO NOTHING""")
        .executeBatch(rows).mapEmpty();
  }

  /** The assessment question among {@code courses}' that {@code question} is, or null. */
  Future<Match> match(String question, List<UUID> courses) {
    if (courses.isEmpty()) {
      return Future.succeededFuture();
    }
    Set<String> asked = Elara.terms(question);
    return pool.preparedQuery(CANDIDATES).execute(Tuple.tuple().addString(question).addArrayOfUUID(courses.toArray(UUID[]::new))).map(rows -> {
      for (Row row : rows) {
        Set<String> prompt = Elara.terms(row.getString("prompt"));
        long shared = prompt.stream().filter(asked::contains).count();
        if (shared >= 2 && shared >= SAME_QUESTION * prompt.size()) {
          return new Match(row.getString("title"), row.getString("prompt"));
        }
      }
      return null;
    });
  }
}
