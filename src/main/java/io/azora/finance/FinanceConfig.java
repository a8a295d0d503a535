package io.azora.finance;

import io.azora.platform.Money;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.Map;

/** The {@code finance} section of the configuration; amounts in minor units, factors as exact decimals. */
record FinanceConfig(long initialSupply, long maxSupply, BigDecimal platformFee, Mining mining,
                     Map<Integer, BigDecimal> stakingRates, Stripe stripe) {

  /** Card payments: where Stripe is, the keys, the AZR price, and how long and how often to try. */
  record Stripe(String apiKey, String apiBase, String webhookSecret, BigDecimal priceUsdPerAzr, String currency,
                long minimumCents, int timeoutMs, int maxRetries) {
    boolean enabled() {
      return !apiKey.isBlank();
    }

    @Override
    public String toString() {
      return "Stripe[apiBase=" + apiBase + ", apiKey=***, webhookSecret=***, price=" + priceUsdPerAzr + "]";
    }
  }

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
    JsonObject st = f.getJsonObject("stripe", new JsonObject());
    Stripe stripe = new Stripe(st.getString("apiKey", ""), st.getString("apiBase", "https://api.stripe.com"),
        st.getString("webhookSecret", ""), decimal(st, "priceUsdPerAzr", "0.10"), st.getString("currency", "usd"),
        st.getLong("minimumCents", 50L), st.getInteger("timeoutMs", 10_000), st.getInteger("maxRetries", 2));
    return new FinanceConfig(
        Money.parse(f.getValue("initialSupply", "100000000"), "finance.initialSupply"),
        Money.parse(f.getValue("maxSupply", "1000000000"), "finance.maxSupply"),
        percent(f, "platformFeePercent", "10"), mining, rates, stripe);
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
