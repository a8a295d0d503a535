package io.azora.marketplace;

import io.azora.platform.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Skill names as the marketplace compares them, and each user's verified skills, kept from education's
 * course.completed: only courses an admin verified for rewards count, and never education's database.
 * Names compare lower-cased with separators made one: "Node JS", "node_js" and "node--js" are all
 * "node-js"; a synonym table in configuration ({@code marketplace.skillSynonyms}) maps other spellings
 * onto one name ({@code js} = {@code javascript}).
 */
final class Skills {

  static final int MAX_SKILLS = 20;
  static final int MAX_SKILL_CHARS = 50;
  private static final Pattern SEPARATORS = Pattern.compile("[\\s_/]+|-{2,}");
  private static final Pattern EDGES = Pattern.compile("^[^\\p{L}\\p{N}+#]+|[^\\p{L}\\p{N}+#]+$");

  private final Map<String, String> synonyms;

  Skills(Map<String, String> synonyms) {
    this.synonyms = synonyms;
  }

  /** One skill's comparable name, or null when nothing of it is left. */
  String normalise(String skill) {
    if (skill == null) {
      return null;
    }
    String name = EDGES.matcher(SEPARATORS.matcher(skill.strip().toLowerCase(Locale.ROOT)).replaceAll("-")).replaceAll("");
    if (name.isEmpty()) {
      return null;
    }
    String canonical = synonyms.getOrDefault(name, name);
    return canonical.length() > MAX_SKILL_CHARS ? canonical.substring(0, MAX_SKILL_CHARS) : canonical;
  }

  /** The distinct comparable names of {@code skills}, in their order. */
  List<String> normalise(JsonArray skills) {
    Set<String> names = new LinkedHashSet<>();
    if (skills != null) {
      for (Object skill : skills) {
        String name = skill instanceof String s ? normalise(s) : null;
        if (name != null) {
          names.add(name);
        }
      }
    }
    return new ArrayList<>(names);
  }

  /**
   * Nexus: course.completed. A credential of a course verified for rewards adds its skills at the reviewed
   * level; true when it did (the matches it ranks changed).
   */
  Future<Boolean> onCourseCompleted(SqlClient tx, DomainEvent event) {
    JsonObject data = event.data();
    // rewardable: the course is verified for rewards and the learner is not its instructor (who could
    // otherwise certify themselves); an unreviewed course proves nothing.
    if (!Boolean.TRUE.equals(data.getBoolean("rewardable"))) {
      return Future.succeededFuture(false);
    }
    UUID user = UUID.fromString(data.getString("userId"));
    UUID course = UUID.fromString(data.getString("courseId"));
    String level = data.getString("level", "beginner");
    OffsetDateTime completedAt = OffsetDateTime.parse(data.getString("completedAt", event.occurredAt()));
    List<Tuple> rows = new ArrayList<>();
    for (String skill : normalise(data.getJsonArray("skills")).stream().limit(MAX_SKILLS).toList()) {
      rows.add(Tuple.of(user, skill, course, level, completedAt));
    }
    if (rows.isEmpty()) {
      return Future.succeededFuture(false);
    }
    return tx.preparedQuery("""
            INSERT INTO verified_skills (user_id, skill, course_id, level, completed_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (user_id, skill, course_id) DO UPDATE SET level = excluded.level, completed_at = excluded.completed_at""")
        .executeBatch(rows).map(true);
  }
}
