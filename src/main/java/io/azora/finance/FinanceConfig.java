package io.azora.finance;

import io.azora.platform.Money;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.Map;

/** The {@code finance} section of the configuration; amounts in minor units, factors as exact decimals. */
record FinanceConfig(long initialSupply, long maxSupply, Mining mining, Map<Integer, BigDecimal> stakingRates) {

  /** Proof-of-Knowledge reward parameters (see {@link MiningRewards}). */
  record Mining(BigDecimal courseCompletionBase, BigDecimal courseCompletionWeight, BigDecimal assessmentPassedBase,
                BigDecimal assessmentPassedWeight, Map<String, BigDecimal> difficulty, long epochRewards, long dailyCap) {
  }

  static FinanceConfig from(JsonObject config) {
    JsonObject f = config.getJsonObject("finance", new JsonObject());
    JsonObject m = f.getJsonObject("mining", new JsonObject());
    JsonObject s = f.getJsonObject("staking", new JsonObject());
    Mining mining = new Mining(
        decimal(m, "courseCompletionBase", "100"), decimal(m, "courseCompletionWeight", "1.0"),
        decimal(m, "assessmentPassedBase", "25"), decimal(m, "assessmentPassedWeight", "0.5"),
        Map.of("beginner", decimal(m, "difficultyBeginner", "1"),
            "intermediate", decimal(m, "difficultyIntermediate", "1.5"),
            "advanced", decimal(m, "difficultyAdvanced", "2"),
            "expert", decimal(m, "difficultyExpert", "3")),
        m.getLong("epochRewards", 210_000L),
        Money.parse(m.getValue("dailyCap", "500"), "finance.mining.dailyCap"));
    // Percent a year, kept as a fraction.
    Map<Integer, BigDecimal> rates = Map.of(
        30, percent(s, "rate30Days", "5"), 90, percent(s, "rate90Days", "10"), 365, percent(s, "rate365Days", "15"));
    return new FinanceConfig(
        Money.parse(f.getValue("initialSupply", "100000000"), "finance.initialSupply"),
        Money.parse(f.getValue("maxSupply", "1000000000"), "finance.maxSupply"),
        mining, rates);
  }

  private static BigDecimal decimal(JsonObject o, String key, String fallback) {
    BigDecimal value = new BigDecimal(String.valueOf(o.getValue(key, fallback)));
    if (value.signum() < 0) {
      throw new IllegalArgumentException("finance." + key + " must not be negative");
    }
    return value;
  }

  private static BigDecimal percent(JsonObject o, String key, String fallback) {
    return decimal(o, key, fallback).movePointLeft(2);
  }
}
