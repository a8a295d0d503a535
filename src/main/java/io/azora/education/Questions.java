package io.azora.education;

import io.azora.platform.Numbers;
import io.azora.platform.Problems;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;

/**
 * Assessment questions: checked when an instructor writes them, stripped of their answers for learners,
 * and graded. What each type asks and how it is graded is its {@link QuestionType}'s.
 */
final class Questions {

  private Questions() {
  }

  /** The questions in stored form (answers normalised), or 400 naming the first bad one. */
  static JsonArray validate(JsonArray questions) {
    if (questions == null || questions.isEmpty()) {
      throw Problems.invalid("questions", "at least one question");
    }
    JsonArray stored = new JsonArray();
    for (int i = 0; i < questions.size(); i++) {
      String field = "questions[" + i + "]";
      if (!(questions.getValue(i) instanceof JsonObject q)) {
        throw Problems.invalid(field, "must be an object");
      }
      String type = q.getString("type");
      String prompt = q.getString("prompt");
      QuestionType kind = QuestionType.named(type);
      if (kind == null) {
        throw Problems.invalid(field + ".type", "must be one of " + QuestionType.NAMES);
      }
      if (prompt == null || prompt.isBlank()) {
        throw Problems.invalid(field + ".prompt", "is required");
      }
      int points = q.getInteger("points", 1);
      if (points < 1) {
        throw Problems.invalid(field + ".points", "must be at least 1");
      }
      JsonObject out = new JsonObject().put("type", type).put("prompt", prompt).put("points", points);
      kind.store(q, field, out);
      stored.add(out);
    }
    return stored;
  }

  /** What learners see: no answers, no tolerances. */
  static JsonArray forLearners(JsonArray questions) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < questions.size(); i++) {
      JsonObject q = questions.getJsonObject(i).copy();
      q.remove("answer");
      q.remove("tolerance");
      out.add(q.put("index", i));
    }
    return out;
  }

  /** Case-folded, whitespace-collapsed, Unicode NFC. */
  static String normalise(String text) {
    return Normalizer.normalize(text, Normalizer.Form.NFC).strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
  }

  /**
   * An exact decimal of a number or numeric string within API.md's bounds, else null: "1e999999999" from a
   * learner must never reach BigDecimal arithmetic (comparing it with the answer would take minutes).
   * Strings as people write them are read too: "+2", ".5", "2.".
   */
  static BigDecimal decimal(Object value) {
    if (value instanceof Number) {
      return Numbers.parse(String.valueOf(value));
    }
    if (!(value instanceof String text) || text.chars().noneMatch(Character::isDigit)) {
      return null;  // "." or "-." is no number, not zero
    }
    String s = text.strip();
    boolean negative = s.startsWith("-");
    s = s.startsWith("+") || negative ? s.substring(1) : s;
    s = s.startsWith(".") ? "0" + s : s;
    s = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    return s.startsWith("-") || s.startsWith("+") ? null : Numbers.parse(negative ? "-" + s : s);
  }

  /**
   * The score of {@code answers} (question index → value), 0..100: the points earned over the points
   * possible, rounded half up to a whole number. Each question earns its points times its credit (0..1);
   * only multiple-choice questions with partialCredit earn fractions: (right picks − wrong picks) / right
   * options, never below 0.
   */
  static int score(JsonArray questions, Map<Integer, Object> answers) {
    BigDecimal earned = BigDecimal.ZERO;
    long possible = 0;
    for (int i = 0; i < questions.size(); i++) {
      JsonObject q = questions.getJsonObject(i);
      int points = q.getInteger("points", 1);
      possible += points;
      earned = earned.add(credit(q, answers.get(i)).multiply(BigDecimal.valueOf(points)));
    }
    return possible == 0 ? 0 : earned.multiply(BigDecimal.valueOf(100))
        .divide(BigDecimal.valueOf(possible), 0, RoundingMode.HALF_UP).intValue();
  }

  static BigDecimal credit(JsonObject q, Object value) {
    return value == null ? BigDecimal.ZERO : QuestionType.named(q.getString("type")).credit(q, value);
  }
}
