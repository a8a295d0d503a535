package io.azora.tutoring;

import io.azora.platform.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Lesson text as searchable passages (PostgreSQL full-text search), kept from education's lesson.added
 * events: a lesson is cut into passages of about a paragraph, so an answer quotes what is relevant.
 */
final class Passages {

  /** Passages are cut at paragraph breaks once this long. */
  static final int PASSAGE_CHARS = 1200;
  /** A question's words, any of which may match (ranked by how many and how close): OR, not AND. */
  private static final String SEARCH = """
      SELECT p.lesson_id, p.title, p.text, ts_rank_cd(p.search, q) AS rank
      FROM passages p, to_tsquery('english', replace(plainto_tsquery('english', $1)::text, '&', '|')) q
      WHERE p.course_id = ANY($2) AND ($4::uuid IS NULL OR p.lesson_id = $4) AND p.search @@ q
      ORDER BY rank DESC, p.id LIMIT $3""";
  private static final String COURSE_OF_LESSON = "SELECT course_id FROM passages WHERE lesson_id = $1 LIMIT 1";

  /** A passage found for a question. */
  record Found(UUID lessonId, String title, String text) {
  }

  private final Pool pool;

  Passages(Pool pool) {
    this.pool = pool;
  }

  /** Nexus: lesson.added. Its text, in passages (idempotent by lesson and part). */
  static Future<Void> onLessonAdded(SqlClient tx, DomainEvent event) {
    JsonObject data = event.data();
    UUID course = UUID.fromString(data.getString("courseId"));
    UUID lesson = UUID.fromString(data.getString("lessonId"));
    String title = data.getString("title", "");
    List<Tuple> rows = new ArrayList<>();
    List<String> parts = cut(data.getString("content", ""));
    for (int i = 0; i < parts.size(); i++) {
      rows.add(Tuple.of(course, lesson, title, i, parts.get(i)));
    }
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery("""
            INSERT INTO passages (course_id, lesson_id, title, part, text) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (lesson_id, part) DO NOTHING""").executeBatch(rows).mapEmpty();
  }

  /**
   * Markdown cut into passages at blank lines, each up to about {@link #PASSAGE_CHARS}; a longer paragraph
   * is cut at sentence ends or spaces (what a prompt quotes stays small, whatever a lesson's layout).
   */
  static List<String> cut(String markdown) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String paragraph : markdown.split("\\n\\s*\\n")) {
      for (String p : pieces(paragraph.strip())) {
        add(parts, current, p);
      }
    }
    if (current.length() > 0) {
      parts.add(current.toString());
    }
    return parts;
  }

  private static void add(List<String> parts, StringBuilder current, String p) {
    if (p.isEmpty()) {
      return;
    }
    if (current.length() > 0 && current.length() + p.length() > PASSAGE_CHARS) {
      parts.add(current.toString());
      current.setLength(0);
    }
    current.append(current.length() > 0 ? "\n\n" : "").append(p);
  }

  /** A paragraph in pieces of at most {@link #PASSAGE_CHARS}, cut after a sentence or at a space if it can be. */
  static List<String> pieces(String paragraph) {
    List<String> pieces = new ArrayList<>();
    String rest = paragraph;
    while (rest.length() > PASSAGE_CHARS) {
      int cut = Math.max(rest.lastIndexOf(". ", PASSAGE_CHARS), rest.lastIndexOf('\n', PASSAGE_CHARS));
      if (cut < PASSAGE_CHARS / 2) {
        cut = rest.lastIndexOf(' ', PASSAGE_CHARS);
      }
      if (cut < PASSAGE_CHARS / 2) {
        cut = PASSAGE_CHARS - 1;
      }
      pieces.add(rest.substring(0, cut + 1).strip());
      rest = rest.substring(cut + 1).strip();
    }
    pieces.add(rest);
    return pieces;
  }

  /** The best passages for {@code question} among {@code courses}' lessons (only {@code lesson}'s, if not null). */
  Future<List<Found>> search(String question, List<UUID> courses, UUID lesson, int limit) {
    if (courses.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return pool.preparedQuery(SEARCH).execute(Tuple.of(question, courses.toArray(UUID[]::new), limit, lesson)).map(rows -> {
      List<Found> found = new ArrayList<>();
      for (Row row : rows) {
        found.add(new Found(row.getUUID("lesson_id"), row.getString("title"), row.getString("text")));
      }
      return found;
    });
  }

  /** The course a lesson belongs to, or null when no such lesson was indexed. */
  Future<UUID> courseOf(UUID lesson) {
    return pool.preparedQuery(COURSE_OF_LESSON).execute(Tuple.of(lesson))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID(0));
  }
}
