package io.azora.education;

import io.azora.platform.Numbers;
import io.azora.platform.Problems;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.Set;

/**
 * Assessment questions: checked when an instructor writes them, stripped of their answers for learners,
 * and graded. Types: single (one option index), multiple (a set of indexes; all-or-nothing unless
 * {@code partialCredit}), numeric (within ± tolerance, compared exactly as decimals) and text (any of
 * the accepted answers, compared after Unicode NFC, case folding and whitespace collapsing).
 */
final class Questions {

  static final Set<String> TYPES = Set.of("single", "multiple", "numeric", "text");

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
      if (!TYPES.contains(type)) {
        throw Problems.invalid(field + ".type", "must be one of " + TYPES);
      }
      if (prompt == null || prompt.isBlank()) {
        throw Problems.invalid(field + ".prompt", "is required");
      }
      int points = q.getInteger("points", 1);
      if (points < 1) {
        throw Problems.invalid(field + ".points", "must be at least 1");
      }
      JsonObject out = new JsonObject().put("type", type).put("prompt", prompt).put("points", points);
      Object answer = q.getValue("answer");
      switch (type) {
        case "single" -> {
          JsonArray options = options(q, field);
          if (!(answer instanceof Integer index) || index < 0 || index >= options.size()) {
            throw Problems.invalid(field + ".answer", "must be the index of the correct option");
          }
          out.put("options", options).put("answer", index);
        }
        case "multiple" -> {
          JsonArray options = options(q, field);
          if (!(answer instanceof JsonArray indexes) || indexes.isEmpty()) {
            throw Problems.invalid(field + ".answer", "must be the indexes of the correct options");
          }
          Set<Integer> seen = new HashSet<>();
          for (Object index : indexes) {
            if (!(index instanceof Integer n) || n < 0 || n >= options.size() || !seen.add(n)) {
              throw Problems.invalid(field + ".answer", "must be distinct indexes of options");
            }
          }
          out.put("options", options).put("answer", new JsonArray(seen.stream().sorted().toList()))
              .put("partialCredit", q.getBoolean("partialCredit", false));
        }
        case "numeric" -> {
          BigDecimal value = decimal(answer);
          BigDecimal tolerance = q.containsKey("tolerance") ? decimal(q.getValue("tolerance")) : BigDecimal.ZERO;
          if (value == null) {
            throw Problems.invalid(field + ".answer", "must be a number");
          }
          if (tolerance == null || tolerance.signum() < 0) {
            throw Problems.invalid(field + ".tolerance", "must be a number of at least 0");
          }
          out.put("answer", value.toPlainString()).put("tolerance", tolerance.toPlainString());
        }
        default -> {
          JsonArray accepted = answer instanceof String s ? new JsonArray().add(s)
              : answer instanceof JsonArray a ? a : null;
          if (accepted == null || accepted.isEmpty()
              || accepted.stream().anyMatch(a -> !(a instanceof String s) || normalise(s).isEmpty())) {
            throw Problems.invalid(field + ".answer", "must be one or more accepted answers");
          }
          JsonArray normalised = new JsonArray();
          accepted.forEach(a -> normalised.add(normalise((String) a)));
          out.put("answer", normalised);
        }
      }
      stored.add(out);
    }
    return stored;
  }

  private static JsonArray options(JsonObject q, String field) {
    JsonArray options = q.getJsonArray("options");
    if (options == null || options.size() < 2 || options.stream().anyMatch(o -> !(o instanceof String s) || s.isBlank())) {
      throw Problems.invalid(field + ".options", "at least two non-empty options");
    }
    return options;
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
    return Normalizer.normalize(text, Normalizer.Form.NFC).strip().replaceAll("\\s+", " ").toLowerCase(java.util.Locale.ROOT);
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
  static int score(JsonArray questions, java.util.Map<Integer, Object> answers) {
    BigDecimal earned = BigDecimal.ZERO;
    long possible = 0;
    for (int i = 0; i < questions.size(); i++) {
      JsonObject q = questions.getJsonObject(i);
      int points = q.getInteger("points", 1);
      possible += points;
      earned = earned.add(credit(q, answers.get(i)).multiply(BigDecimal.valueOf(points)));
    }
    return possible == 0 ? 0 : earned.multiply(BigDecimal.valueOf(100))
        .divide(BigDecimal.valueOf(possible), 0, java.math.RoundingMode.HALF_UP).intValue();
  }

  static BigDecimal credit(JsonObject q, Object value) {
    if (value == null) {
      return BigDecimal.ZERO;
    }
    switch (q.getString("type")) {
      case "single" -> {
        return value instanceof Integer i && i.equals(q.getInteger("answer")) ? BigDecimal.ONE : BigDecimal.ZERO;
      }
      case "multiple" -> {
        if (!(value instanceof JsonArray picks)) {
          return BigDecimal.ZERO;
        }
        Set<Object> right = new HashSet<>(q.getJsonArray("answer").getList());
        Set<Object> chosen = new HashSet<>(picks.getList());
        if (!q.getBoolean("partialCredit", false)) {
          return right.equals(chosen) ? BigDecimal.ONE : BigDecimal.ZERO;
        }
        long good = chosen.stream().filter(right::contains).count();
        long bad = chosen.size() - good;
        return BigDecimal.valueOf(Math.max(0, good - bad)).divide(BigDecimal.valueOf(right.size()), 6, java.math.RoundingMode.DOWN);
      }
      case "numeric" -> {
        BigDecimal given = decimal(value);
        if (given == null) {
          return BigDecimal.ZERO;
        }
        BigDecimal distance = given.subtract(new BigDecimal(q.getString("answer"))).abs();
        return distance.compareTo(new BigDecimal(q.getString("tolerance", "0"))) <= 0 ? BigDecimal.ONE : BigDecimal.ZERO;
      }
      default -> {
        return value instanceof String text && q.getJsonArray("answer").contains(normalise(text))
            ? BigDecimal.ONE : BigDecimal.ZERO;
      }
    }
  }
}
