package io.azora.education;

import io.azora.platform.Problems;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The kinds of assessment question, each with its two rules in one place: what an instructor must write
 * (checked, and put in stored form) and how much credit (0..1) a learner's answer earns.
 */
enum QuestionType {

  /** One option index. */
  SINGLE("single") {
    @Override
    void store(JsonObject q, String field, JsonObject out) {
      JsonArray options = options(q, field);
      if (!(q.getValue("answer") instanceof Integer index) || index < 0 || index >= options.size()) {
        throw Problems.invalid(field + ".answer", "must be the index of the correct option");
      }
      out.put("options", options).put("answer", index);
    }

    @Override
    BigDecimal credit(JsonObject q, Object value) {
      return value instanceof Integer i && i.equals(q.getInteger("answer")) ? BigDecimal.ONE : BigDecimal.ZERO;
    }
  },

  /**
   * A set of option indexes: all-or-nothing, or with {@code partialCredit} (right picks − wrong picks) /
   * right options, never below 0.
   */
  MULTIPLE("multiple") {
    @Override
    void store(JsonObject q, String field, JsonObject out) {
      JsonArray options = options(q, field);
      if (!(q.getValue("answer") instanceof JsonArray indexes) || indexes.isEmpty()) {
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

    @Override
    BigDecimal credit(JsonObject q, Object value) {
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
      return BigDecimal.valueOf(Math.max(0, good - bad)).divide(BigDecimal.valueOf(right.size()), 6, RoundingMode.DOWN);
    }
  },

  /** A number, right within ± tolerance, compared exactly as decimals. */
  NUMERIC("numeric") {
    @Override
    void store(JsonObject q, String field, JsonObject out) {
      BigDecimal value = Questions.decimal(q.getValue("answer"));
      BigDecimal tolerance = q.containsKey("tolerance") ? Questions.decimal(q.getValue("tolerance")) : BigDecimal.ZERO;
      if (value == null) {
        throw Problems.invalid(field + ".answer", "must be a number");
      }
      if (tolerance == null || tolerance.signum() < 0) {
        throw Problems.invalid(field + ".tolerance", "must be a number of at least 0");
      }
      out.put("answer", value.toPlainString()).put("tolerance", tolerance.toPlainString());
    }

    @Override
    BigDecimal credit(JsonObject q, Object value) {
      BigDecimal given = Questions.decimal(value);
      if (given == null) {
        return BigDecimal.ZERO;
      }
      BigDecimal distance = given.subtract(new BigDecimal(q.getString("answer"))).abs();
      return distance.compareTo(new BigDecimal(q.getString("tolerance", "0"))) <= 0 ? BigDecimal.ONE : BigDecimal.ZERO;
    }
  },

  /** Any of the accepted answers, compared after Unicode NFC, case folding and whitespace collapsing. */
  TEXT("text") {
    @Override
    void store(JsonObject q, String field, JsonObject out) {
      Object answer = q.getValue("answer");
      JsonArray accepted = answer instanceof String s ? new JsonArray().add(s) : answer instanceof JsonArray a ? a : null;
      if (accepted == null || accepted.isEmpty()
          || accepted.stream().anyMatch(a -> !(a instanceof String s) || Questions.normalise(s).isEmpty())) {
        throw Problems.invalid(field + ".answer", "must be one or more accepted answers");
      }
      JsonArray normalised = new JsonArray();
      accepted.forEach(a -> normalised.add(Questions.normalise((String) a)));
      out.put("answer", normalised);
    }

    @Override
    BigDecimal credit(JsonObject q, Object value) {
      return value instanceof String text && q.getJsonArray("answer").contains(Questions.normalise(text))
          ? BigDecimal.ONE : BigDecimal.ZERO;
    }
  };

  static final List<String> NAMES = Arrays.stream(values()).map(t -> t.name).toList();

  private final String name;

  QuestionType(String name) {
    this.name = name;
  }

  /** The type named {@code name} as instructors write it, or null. */
  static QuestionType named(String name) {
    return name == null ? null : BY_NAME.get(name);
  }

  private static final Map<String, QuestionType> BY_NAME =
      Arrays.stream(values()).collect(Collectors.toMap(t -> t.name, t -> t));

  /** Checks this type's own fields of {@code q} (400 naming the field) and puts them, stored form, in {@code out}. */
  abstract void store(JsonObject q, String field, JsonObject out);

  /** The credit, 0..1, that {@code value} earns on stored question {@code q}. */
  abstract BigDecimal credit(JsonObject q, Object value);

  private static JsonArray options(JsonObject q, String field) {
    JsonArray options = q.getJsonArray("options");
    if (options == null || options.size() < 2 || options.stream().anyMatch(o -> !(o instanceof String s) || s.isBlank())) {
      throw Problems.invalid(field + ".options", "at least two non-empty options");
    }
    return options;
  }
}
