package io.azora.education;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Grading rules: partial credit, exact numerics, text normalisation, rounding. */
class QuestionsTest {

  static JsonArray stored(JsonObject... questions) {
    return Questions.validate(new JsonArray(java.util.List.of((Object[]) questions)));
  }

  @Test
  void multipleChoiceIsAllOrNothingUnlessPartial() {
    JsonObject q = new JsonObject().put("type", "multiple").put("prompt", "p")
        .put("options", new JsonArray().add("a").add("b").add("c").add("d")).put("answer", new JsonArray().add(0).add(1).add(2));
    assertEquals(0, Questions.score(stored(q), Map.of(0, new JsonArray().add(0).add(1))));
    assertEquals(100, Questions.score(stored(q), Map.of(0, new JsonArray().add(2).add(1).add(0))));
    JsonObject partial = q.copy().put("partialCredit", true);
    // two right of three: 67 (66.67 rounded half up); a wrong pick takes one back: 33.
    assertEquals(67, Questions.score(stored(partial), Map.of(0, new JsonArray().add(0).add(1))));
    assertEquals(33, Questions.score(stored(partial), Map.of(0, new JsonArray().add(0).add(1).add(3))));
    assertEquals(0, Questions.score(stored(partial), Map.of(0, new JsonArray().add(3))));
  }

  @Test
  void numericAnswersCompareExactly() {
    JsonObject q = new JsonObject().put("type", "numeric").put("prompt", "0.1 + 0.2").put("answer", "0.3").put("tolerance", 0);
    assertEquals(100, Questions.score(stored(q), Map.of(0, "0.3")));
    assertEquals(100, Questions.score(stored(q), Map.of(0, 0.3)));
    assertEquals(0, Questions.score(stored(q), Map.of(0, 0.30000000000000004)));
    JsonObject within = q.copy().put("answer", 10).put("tolerance", 0.5);
    assertEquals(100, Questions.score(stored(within), Map.of(0, 10.5)));
    assertEquals(0, Questions.score(stored(within), Map.of(0, 10.51)));
  }

  @Test
  void numbersOutOfBoundsEarnNothingAndAreNeverExpanded() {
    JsonObject q = new JsonObject().put("type", "numeric").put("prompt", "half").put("answer", "0.5").put("tolerance", 0);
    // Compared as BigDecimals these would take minutes and the heap; out of bounds, they are simply wrong.
    assertEquals(0, Questions.score(stored(q), Map.of(0, "1e999999999")));
    assertEquals(0, Questions.score(stored(q), Map.of(0, "-1e-999999999")));
    assertEquals(0, Questions.score(stored(q), Map.of(0, "5e-1000000")));
    assertEquals(100, Questions.score(stored(q), Map.of(0, ".5")));
    assertEquals(100, Questions.score(stored(q), Map.of(0, "+0.50")));
    assertEquals(100, Questions.score(stored(q), Map.of(0, "5e-1")));
    JsonObject zero = q.copy().put("answer", "0");
    assertEquals(100, Questions.score(stored(zero), Map.of(0, "0")));
    assertEquals(0, Questions.score(stored(zero), Map.of(0, ".")), "a point is no number");
    assertEquals(0, Questions.score(stored(zero), Map.of(0, "-.")));
    io.vertx.serviceproxy.ServiceException refused = org.junit.jupiter.api.Assertions.assertThrows(
        io.vertx.serviceproxy.ServiceException.class, () -> stored(q.copy().put("answer", "1e999999999")));
    assertEquals(400, refused.failureCode());
  }

  @Test
  void textIsNormalised() {
    JsonObject q = new JsonObject().put("type", "text").put("prompt", "p").put("answer", new JsonArray().add("Café au lait"));
    // Decomposed é (e + combining acute), other case, extra spaces: the same answer.
    assertEquals(100, Questions.score(stored(q), Map.of(0, "  cafe\u0301   AU lait ")));
    assertEquals(0, Questions.score(stored(q), Map.of(0, "cafe au lait")));
  }

  @Test
  void pointsWeightTheScore() {
    JsonObject easy = new JsonObject().put("type", "single").put("prompt", "p").put("options", new JsonArray().add("a").add("b")).put("answer", 0);
    JsonObject hard = easy.copy().put("points", 3);
    assertEquals(75, Questions.score(stored(easy, hard), Map.of(1, 0)));
    assertEquals(25, Questions.score(stored(easy, hard), Map.of(0, 0)));
    assertEquals(0, Questions.score(stored(easy, hard), Map.of()));
  }
}
