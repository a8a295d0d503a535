package io.azora.marketplace;

import io.azora.finance.FinanceVerticle;
import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.Market;
import io.azora.support.NodeExtension;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Saga safety: finance goes away while an application is accepted and while a milestone is approved. The
 * request fails cleanly (503, the step pending), nothing is half done, and once finance is back the
 * marketplace drives the step to its end exactly once: the contract funded once, the freelancer paid once.
 */
class EscrowSagaTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(Courses.withAdmin(new JsonObject()
      .put("node", new JsonObject().put("verticles", "auth,education,tutoring,marketplace,gateway"))
      .put("finance", new JsonObject().put("initialSupply", "1000000").put("platformFeePercent", "10"))));

  static String finance;

  static void financeUp() throws Exception {
    finance = node.node().vertx().deployVerticle(FinanceVerticle.class, new DeploymentOptions().setConfig(node.node().config))
        .await(60, TimeUnit.SECONDS);
  }

  static void financeDown() throws Exception {
    node.node().vertx().undeploy(finance).await(30, TimeUnit.SECONDS);
  }

  /** Polls until {@code value} gives {@code expected}, for up to 30 s (the recovery runs every 5 s). */
  static void eventually(String expected, Supplier<String> value) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    String last = null;
    while (System.currentTimeMillis() < deadline) {
      last = value.get();
      if (expected.equals(last)) {
        return;
      }
      Thread.sleep(250);
    }
    assertEquals(expected, last);
  }

  @Test
  void stepsInterruptedByFinanceGoingAwayCompleteOnceItIsBack() throws Exception {
    financeUp();
    HttpApi api = node.api();
    JsonObject employer = Market.user(api, "employer");
    JsonObject freelancer = Market.user(api, "student");
    Market.grant(api, Courses.admin(api), employer, "100");
    String job = Market.twoMilestoneJob(api, employer);
    String application = Market.apply(api, job, freelancer);
    String e = employer.getString("token");

    // Accepting while finance is away: 503, the contract left funding, nothing else changed.
    financeDown();
    api.post("/api/applications/" + application + "/accept", e, null).expectProblem(503, "funding_pending");
    assertEquals("pending", api.get("/api/me/applications", freelancer.getString("token")).expect(200).json()
        .getJsonArray("items").getJsonObject(0).getString("status"));
    financeUp();
    eventually("active", () -> {
      var answer = api.post("/api/applications/" + application + "/accept", e, null);
      return answer.status() == 201 ? answer.json().getString("status") : String.valueOf(answer.status());
    });
    JsonObject contract = api.post("/api/applications/" + application + "/accept", e, null).expect(201).json();
    assertEquals("60", api.get("/api/wallet/balance", e).expect(200).json().getString("available"), "funded once");

    // Approving while finance is away: 503, the milestone left releasing; then released once.
    String base = "/api/contracts/" + contract.getString("id") + "/milestones/";
    String first = contract.getJsonArray("milestones").getJsonObject(0).getString("id");
    api.post(base + first + "/submit", freelancer.getString("token"), null).expect(200);
    financeDown();
    api.post(base + first + "/approve", e, null).expectProblem(503, "release_pending");
    api.post(base + first + "/approve", e, null).expectProblem(409, "milestone_state");  // releasing: no second payment
    financeUp();
    eventually("released", () -> api.get("/api/contracts/" + contract.getString("id"), e).expect(200).json()
        .getJsonArray("milestones").getJsonObject(0).getString("status"));
    assertEquals("13.5", api.get("/api/wallet/balance", freelancer.getString("token")).expect(200).json()
        .getString("balance"), "paid once, less the fee");
  }
}
