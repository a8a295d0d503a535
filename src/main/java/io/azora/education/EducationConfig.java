package io.azora.education;

import io.vertx.core.json.JsonObject;

/** The {@code education} section of the configuration, read once at start. */
record EducationConfig(int catalogCacheSeconds, long rewardWaitMs, int rewardMinPassingScore, int rewardMinQuestions,
                       int attemptsPerWindow, long attemptWindowSeconds) {

  static EducationConfig from(JsonObject config) {
    JsonObject e = config.getJsonObject("education", new JsonObject());
    return new EducationConfig(CatalogCache.ttlSeconds(config), e.getLong("rewardWaitMs", 3000L),
        e.getInteger("rewardMinPassingScore", 60), e.getInteger("rewardMinQuestions", 3),
        Math.max(1, e.getInteger("attemptsPerWindow", 5)), Math.max(1, e.getLong("attemptWindowSeconds", 86_400L)));
  }
}
