package io.azora.finance;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The Proof-of-Knowledge reward of one verified activity, in minor units:
 *
 * <pre>base × weight × difficulty × scoreBonus × epochMultiplier</pre>
 *
 * with scoreBonus = 1 + max(0, (min(score, 100) − 70) / 30) and epochMultiplier = 1 / 2^epoch, where
 * epoch = rewards so far / epochRewards. Rounding: the exact value is computed as a fraction and
 * rounded down once, to the minor unit (1e-8 AZR), so no reward is ever more than its exact value.
 * The daily and supply caps apply afterwards ({@link Mining}).
 */
final class MiningRewards {

  static final BigDecimal PASS_MARK = BigDecimal.valueOf(70);
  static final BigDecimal BONUS_SPAN = BigDecimal.valueOf(30);

  private final FinanceConfig.Mining config;

  MiningRewards(FinanceConfig.Mining config) {
    this.config = config;
  }

  int epoch(long rewardsSoFar) {
    return (int) Math.min(rewardsSoFar / config.epochRewards(), 62);
  }

  /** The multiplier of an epoch, exactly (0.5^epoch terminates in decimal). */
  static BigDecimal multiplier(int epoch) {
    return BigDecimal.ONE.divide(BigDecimal.valueOf(2).pow(epoch));
  }

  /**
   * @param type       assessment_passed or course_completion
   * @param difficulty beginner, intermediate, advanced or expert (anything else counts as beginner)
   * @param score      0..100, or null (no bonus)
   */
  long reward(String type, String difficulty, BigDecimal score, int epoch) {
    boolean course = "course_completion".equals(type);
    BigDecimal base = course ? config.courseCompletionBase() : config.assessmentPassedBase();
    BigDecimal weight = course ? config.courseCompletionWeight() : config.assessmentPassedWeight();
    BigDecimal factor = config.difficulty().getOrDefault(difficulty, config.difficulty().get("beginner"));
    // scoreBonus = (30 + max(0, min(score, 100) - 70)) / 30: multiply by the numerator, divide once at the end.
    BigDecimal bonusNumerator = BONUS_SPAN;
    if (score != null) {
      bonusNumerator = bonusNumerator.add(score.min(BigDecimal.valueOf(100)).subtract(PASS_MARK).max(BigDecimal.ZERO));
    }
    BigDecimal numerator = base.multiply(weight).multiply(factor).multiply(bonusNumerator).movePointRight(8);
    BigDecimal denominator = BONUS_SPAN.multiply(new BigDecimal(BigInteger.TWO.pow(epoch)));
    return numerator.divide(denominator, 0, RoundingMode.DOWN).longValueExact();
  }
}
