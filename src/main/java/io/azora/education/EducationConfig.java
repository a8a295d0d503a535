package io.azora.education;

import io.azora.platform.SharedRedis;
import io.vertx.core.json.JsonObject;

/** The {@code education} section of the configuration, read once at start. */
record EducationConfig(int catalogCacheSeconds, long rewardWaitMs, int rewardMinPassingScore, int rewardMinQuestions,
                       int attemptsPerWindow, long attemptWindowSeconds, int maxLessonsPerCourse,
                       int maxIndexedCharsPerCourse) {

  static EducationConfig from(JsonObject config) {
    JsonObject e = config.getJsonObject("education", new JsonObject());
    return new EducationConfig(SharedRedis.Catalog.ttlSeconds(config), e.getLong("rewardWaitMs", 3000L),
        e.getInteger("rewardMinPassingScore", 60), e.getInteger("rewardMinQuestions", 3),
        Math.max(1, e.getInteger("attemptsPerWindow", 5)), Math.max(1, e.getLong("attemptWindowSeconds", 86_400L)),
        Math.max(1, e.getInteger("maxLessonsPerCourse", 500)),
        // tsvector holds at most 1 MB: text well under that, whatever the configuration says.
        Math.max(0, Math.min(e.getInteger("maxIndexedCharsPerCourse", 400_000), 600_000)));
  }
}
