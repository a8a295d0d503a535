package io.azora.tutoring;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lessons are cut into passages a prompt can quote, whatever their layout. */
class PassagesTest {

  @Test
  void paragraphsAreGroupedAndALongOneIsCutAtSentences() {
    String sentence = "Closures keep the variables of their scope alive. ";
    String wall = sentence.repeat(200);  // 10,000 characters without a blank line
    String lesson = "# Title\n\nShort paragraph.\n\n" + wall + "\n\nLast words.";
    List<String> parts = Passages.cut(lesson);
    assertTrue(parts.size() >= 9, "cut into pieces: " + parts.size());
    assertTrue(parts.stream().allMatch(p -> p.length() <= Passages.PASSAGE_CHARS), "each within the size");
    assertTrue(parts.get(0).startsWith("# Title\n\nShort paragraph."));
    assertTrue(parts.stream().skip(1).limit(parts.size() - 2).allMatch(p -> p.endsWith(".")), "cut after sentences");
    assertEquals(lesson.replaceAll("\\s", ""), String.join("", parts).replaceAll("\\s", ""), "nothing lost");
  }

  @Test
  void textWithoutSpacesIsStillCut() {
    List<String> parts = Passages.cut("x".repeat(5000));
    assertEquals(5, parts.size());
    assertTrue(parts.stream().allMatch(p -> p.length() <= Passages.PASSAGE_CHARS));
  }
}
