package io.azora.tutoring;

import io.vertx.core.json.JsonObject;

/** tutor.* of the configuration, as tutoring uses it. */
record TutoringConfig(int historyTurns, int maxQuestionChars, int roomHistoryDays, Llm llm) {

  /**
   * An OpenAI-compatible chat-completions API (tutor.llm.*): off while {@code baseUrl} is empty. The first
   * token must arrive within {@code timeoutMs}, each next within {@code idleMs}.
   */
  record Llm(String baseUrl, String model, String apiKey, long timeoutMs, long idleMs, int maxTokens) {

    boolean enabled() {
      return !baseUrl.isBlank();
    }

    @Override
    public String toString() {
      return "Llm[" + baseUrl + ", " + model + (apiKey.isEmpty() ? "" : ", key set") + "]";  // never the key
    }
  }

  static TutoringConfig from(JsonObject config) {
    JsonObject tutor = config.getJsonObject("tutor", new JsonObject());
    JsonObject llm = tutor.getJsonObject("llm", new JsonObject());
    String baseUrl = llm.getString("baseUrl", "").strip();
    return new TutoringConfig(Math.max(1, Math.min(tutor.getInteger("historyTurns", 10), 100)),
        Math.max(1, Math.min(tutor.getInteger("maxQuestionChars", 2000), 8000)),
        Math.max(1, Math.min(tutor.getInteger("roomHistoryDays", 30), 3650)),
        new Llm(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl,
            llm.getString("model", "gpt-4o-mini"), llm.getString("apiKey", ""),
            // Below the gateway's 30 s wait for each step of an answer, or the learner would ask again meanwhile.
            Math.max(100, Math.min(llm.getLong("timeoutMs", 10_000L), 25_000L)),
            Math.max(100, Math.min(llm.getLong("idleMs", 5_000L), 25_000L)),
            Math.max(16, Math.min(llm.getInteger("maxTokens", 800), 4096))));
  }
}
