package io.azora.finance;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The reward formula with the default configuration, in minor units (1 AZR = 100,000,000). */
class MiningRewardsTest {

  final MiningRewards rewards = new MiningRewards(FinanceConfig.from(new JsonObject()).mining());

  @Test
  void issueExamples() {
    // Course completion, beginner, no score: 100 × 1.0 × 1 = 100 AZR.
    assertEquals(100_00000000L, rewards.reward("course_completion", "beginner", null, 0));
    // Assessment, expert, score 100: 25 × 0.5 × 3 × 2 = 75 AZR.
    assertEquals(75_00000000L, rewards.reward("assessment_passed", "expert", new BigDecimal("100"), 0));
    // Score at or under the pass mark earns no bonus: 25 × 0.5 × 1.5 = 18.75.
    assertEquals(18_75000000L, rewards.reward("assessment_passed", "intermediate", new BigDecimal("70"), 0));
    assertEquals(18_75000000L, rewards.reward("assessment_passed", "intermediate", new BigDecimal("55"), 0));
    // Above 100 counts as 100.
    assertEquals(rewards.reward("assessment_passed", "advanced", new BigDecimal("100"), 0),
        rewards.reward("assessment_passed", "advanced", new BigDecimal("140"), 0));
  }

  @Test
  void roundsDownOnceFromTheExactValue() {
    // 25 × 0.5 × 1 × (1 + 1/30) = 12.916666666... → 12.91666666
    assertEquals(12_91666666L, rewards.reward("assessment_passed", "beginner", new BigDecimal("71"), 0));
    // 25 × 0.5 × 1.5 × (1 + 3/30) = 20.625 exactly: no rounding loss where the value is exact.
    assertEquals(20_62500000L, rewards.reward("assessment_passed", "intermediate", new BigDecimal("73"), 0));
    // Fractional scores stay exact: 25 × 0.5 × 2 × (1 + 15.5/30) = 37.91666666...
    assertEquals(37_91666666L, rewards.reward("assessment_passed", "advanced", new BigDecimal("85.5"), 0));
  }

  @Test
  void epochsHalveTheReward() {
    assertEquals(0, rewards.epoch(209_999));
    assertEquals(1, rewards.epoch(210_000));
    assertEquals(50_00000000L, rewards.reward("course_completion", "beginner", null, 1));
    assertEquals(25_00000000L, rewards.reward("course_completion", "beginner", null, 2));
    // 100 AZR / 2^33 = 0.0000000116... → 1 minor unit; far epochs reach 0, never negative.
    assertEquals(1, rewards.reward("course_completion", "beginner", null, 33));
    assertEquals(0, rewards.reward("course_completion", "beginner", null, 40));
    assertEquals("0.5", MiningRewards.multiplier(1).toPlainString());
  }

  @Test
  void unknownDifficultyCountsAsBeginner() {
    assertEquals(rewards.reward("course_completion", "beginner", null, 0),
        rewards.reward("course_completion", "legendary", null, 0));
  }
}
