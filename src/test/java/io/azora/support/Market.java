package io.azora.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Marketplace fixtures through the public API, for tests of any package. */
public final class Market {

  private Market() {
  }

  /** A new user of {@code role}: {id, token}. */
  public static JsonObject user(HttpApi api, String role) {
    JsonObject t = api.register(role + "-" + UUID.randomUUID() + "@azora.test", "market-passphrase", "M " + role, role);
    return new JsonObject().put("id", t.getJsonObject("user").getString("id")).put("token", t.getString("accessToken"));
  }

  public static void grant(HttpApi api, String admin, JsonObject user, String amount) {
    api.post("/api/admin/wallets/" + user.getString("id") + "/grants", admin,
        new JsonObject().put("amount", amount).put("reason", "test")).expect(201);
  }

  /** A job's body: open for 30 days. */
  public static JsonObject job(String title, String budget, String category, JsonArray skills) {
    return new JsonObject().put("title", title).put("description", "Build " + title.toLowerCase() + " for our shop")
        .put("budget", budget).put("skills", skills).put("category", category)
        .put("deadline", Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString());
  }

  /** A job of two milestones (15 + 25 AZR) posted by {@code employer}: its id. */
  public static String twoMilestoneJob(HttpApi api, JsonObject employer) {
    return api.post("/api/jobs", employer.getString("token"), job("Contracted work", "40", "web", new JsonArray().add("go"))
            .put("milestones", new JsonArray()
                .add(new JsonObject().put("title", "First half").put("amount", "15"))
                .add(new JsonObject().put("title", "Second half").put("amount", "25"))))
        .expect(201).json().getString("id");
  }

  /** {@code freelancer} applies to {@code job}: the application's id. */
  public static String apply(HttpApi api, String job, JsonObject freelancer) {
    return api.post("/api/jobs/" + job + "/apply", freelancer.getString("token"), new JsonObject()
        .put("proposal", "I will do it").put("bidAmount", "40")).expect(201).json().getString("id");
  }
}
