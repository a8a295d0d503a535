package io.azora.marketplace;

import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.Market;
import io.azora.support.NodeExtension;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Contracts through the gateway, with finance's escrow behind them: accepting funds every milestone (or,
 * short of AZR, makes no contract), only the parties see a contract, the freelancer submits, the employer
 * asks for changes or approves, a release pays the freelancer less the platform fee, parallel approvals pay
 * once, and the last release completes the contract.
 */
class ContractsTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(Courses.withAdmin(new JsonObject()
      .put("finance", new JsonObject().put("initialSupply", "1000000").put("platformFeePercent", "10"))));

  static String admin;

  @BeforeAll
  static void signInAdmin() {
    admin = Courses.admin(node.api());
  }

  static JsonObject user(String role) {
    return Market.user(node.api(), role);
  }

  static void grant(JsonObject user, String amount) {
    Market.grant(node.api(), admin, user, amount);
  }

  static JsonObject wallet(JsonObject user) {
    return node.api().get("/api/wallet/balance", user.getString("token")).expect(200).json();
  }

  static String job(JsonObject employer) {
    return Market.twoMilestoneJob(node.api(), employer);
  }

  static String apply(String job, JsonObject freelancer) {
    return Market.apply(node.api(), job, freelancer);
  }

  @Test
  void acceptingFundsEveryMilestoneRejectsTheOthersAndOnlyThePartiesSeeIt() {
    HttpApi api = node.api();
    JsonObject employer = user("employer");
    JsonObject freelancer = user("student");
    JsonObject rival = user("student");
    grant(employer, "100");
    String job = job(employer);
    String chosen = apply(job, freelancer);
    String other = apply(job, rival);

    api.post("/api/applications/" + chosen + "/accept", freelancer.getString("token"), null).expectProblem(403, "forbidden");
    api.post("/api/applications/" + chosen + "/accept", rival.getString("token"), null).expectProblem(404, "not_found");
    JsonObject contract = api.post("/api/applications/" + chosen + "/accept", employer.getString("token"), null)
        .expect(201).json();
    assertEquals("active", contract.getString("status"));
    assertEquals(List.of("funded", "funded"), statuses(contract));
    assertEquals(freelancer.getString("id"), contract.getString("freelancerId"));
    // The money is held: out of the employer's available AZR.
    assertEquals("60", wallet(employer).getString("available"));
    // Accepting again answers the same contract, and moves nothing more.
    assertEquals(contract.getString("id"), api.post("/api/applications/" + chosen + "/accept", employer.getString("token"),
        null).expect(201).json().getString("id"));
    assertEquals("60", wallet(employer).getString("available"));
    api.post("/api/applications/" + other + "/accept", employer.getString("token"), null).expectProblem(409, "job_filled");

    JsonObject rivals = api.get("/api/me/applications", rival.getString("token")).expect(200).json();
    assertEquals("rejected", rivals.getJsonArray("items").getJsonObject(0).getString("status"));
    assertEquals("filled", api.get("/api/jobs/" + job, null).expect(200).json().getString("status"));

    String path = "/api/contracts/" + contract.getString("id");
    assertEquals(contract, api.get(path, freelancer.getString("token")).expect(200).json());
    api.get(path, rival.getString("token")).expectProblem(404, "not_found");
    api.get(path, null).expectProblem(401, "unauthorized");
  }

  @Test
  void anEmployerShortOfAzrGetsNoContract() {
    HttpApi api = node.api();
    JsonObject employer = user("employer");
    JsonObject freelancer = user("student");
    grant(employer, "39.99999999");
    String job = job(employer);
    String application = apply(job, freelancer);
    api.post("/api/applications/" + application + "/accept", employer.getString("token"), null)
        .expectProblem(402, "insufficient_funds");
    assertEquals("39.99999999", wallet(employer).getString("available"), "nothing held");
    assertEquals("open", api.get("/api/jobs/" + job, null).expect(200).json().getString("status"));
    assertEquals("pending", api.get("/api/me/applications", freelancer.getString("token")).expect(200).json()
        .getJsonArray("items").getJsonObject(0).getString("status"));
    // Topped up, the same application is accepted.
    grant(employer, "1");
    assertEquals("active", api.post("/api/applications/" + application + "/accept", employer.getString("token"), null)
        .expect(201).json().getString("status"));
  }

  @Test
  void milestonesAreSubmittedApprovedAndPaidOnceLessTheFee() {
    HttpApi api = node.api();
    JsonObject employer = user("employer");
    JsonObject freelancer = user("student");
    grant(employer, "40");
    String job = job(employer);
    JsonObject contract = api.post("/api/applications/" + apply(job, freelancer) + "/accept", employer.getString("token"),
        null).expect(201).json();
    String base = "/api/contracts/" + contract.getString("id") + "/milestones/";
    String first = contract.getJsonArray("milestones").getJsonObject(0).getString("id");
    String second = contract.getJsonArray("milestones").getJsonObject(1).getString("id");
    String e = employer.getString("token");
    String f = freelancer.getString("token");

    api.post(base + first + "/approve", e, null).expectProblem(409, "milestone_state");  // not submitted yet
    api.post(base + first + "/submit", e, null).expectProblem(403, "forbidden");
    assertEquals("submitted", status(api.post(base + first + "/submit", f, null).expect(200).json(), 0));
    assertEquals("changes_requested", status(api.post(base + first + "/request-changes", e, null).expect(200).json(), 0));
    api.post(base + first + "/submit", f, null).expect(200);
    api.post(base + first + "/approve", f, null).expectProblem(403, "forbidden");
    Map<String, String> key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
    JsonObject afterFirst = api.send(HttpMethod.POST, base + first + "/approve", e, null, key).expect(200).json();
    assertEquals("released", status(afterFirst, 0));
    assertEquals("active", afterFirst.getString("status"));
    assertEquals("13.5", wallet(freelancer).getString("balance"), "15 less the 10 % fee");
    // The answer was lost and the employer's client retries with its key: the first answer, not a 409.
    assertEquals(afterFirst, api.send(HttpMethod.POST, base + first + "/approve", e, null, key).expect(200).json());
    assertEquals("13.5", wallet(freelancer).getString("balance"), "paid once");
    api.post(base + "nope/submit", f, null).expectProblem(404, "not_found");

    // Parallel approvals of the second milestone pay once.
    api.post(base + second + "/submit", f, null).expect(200);
    List<CompletableFuture<Integer>> approvals = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      approvals.add(CompletableFuture.supplyAsync(() -> api.post(base + second + "/approve", e, null).status()));
    }
    List<Integer> statuses = approvals.stream().map(CompletableFuture::join).toList();
    assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses::toString);
    assertTrue(statuses.stream().allMatch(s -> s == 200 || s == 409), statuses::toString);
    assertEquals("36", wallet(freelancer).getString("balance"), "13.5 + 25 less 2.5");
    assertEquals("0", wallet(employer).getString("balance"));
    JsonObject done = api.get("/api/contracts/" + contract.getString("id"), e).expect(200).json();
    assertEquals("completed", done.getString("status"));
    assertEquals(List.of("released", "released"), statuses(done));
  }

  /** An active contract of {@code employer} (40 AZR granted) with a new freelancer: {contract, freelancer}. */
  static JsonObject activeContract(JsonObject employer) {
    JsonObject freelancer = user("student");
    grant(employer, "40");
    String job = job(employer);
    JsonObject contract = node.api().post("/api/applications/" + apply(job, freelancer) + "/accept",
        employer.getString("token"), null).expect(201).json();
    return new JsonObject().put("contract", contract).put("freelancer", freelancer);
  }

  @Test
  void cancellingRefundsWhatWasNotSubmittedAndBothPartiesReviewOnce() throws Exception {
    HttpApi api = node.api();
    JsonObject employer = user("employer");
    JsonObject made = activeContract(employer);
    JsonObject contract = made.getJsonObject("contract");
    JsonObject freelancer = made.getJsonObject("freelancer");
    String id = contract.getString("id");
    String e = employer.getString("token");
    String f = freelancer.getString("token");
    String first = contract.getJsonArray("milestones").getJsonObject(0).getString("id");

    api.post("/api/contracts/" + id + "/reviews", f, new JsonObject().put("rating", 5)).expectProblem(409, "contract_not_finished");
    api.post("/api/contracts/" + id + "/milestones/" + first + "/submit", f, null).expect(200);
    api.post("/api/contracts/" + id + "/cancel", e, null).expectProblem(409, "milestone_submitted");
    api.post("/api/contracts/" + id + "/milestones/" + first + "/approve", e, null).expect(200);
    api.post("/api/contracts/" + id + "/cancel", user("student").getString("token"), null).expectProblem(404, "not_found");
    JsonObject cancelled = api.post("/api/contracts/" + id + "/cancel", f, null).expect(200).json();
    assertEquals("cancelled", cancelled.getString("status"));
    assertEquals(List.of("released", "refunded"), statuses(cancelled));
    assertEquals("25", wallet(employer).getString("available"), "the second milestone came back");
    assertEquals("13.5", wallet(freelancer).getString("balance"));
    api.post("/api/contracts/" + id + "/milestones/" + first + "/submit", f, null).expectProblem(409, "contract_not_active");

    // Reviews: once each, 1 to 5, edited within 7 days, public with the average.
    api.post("/api/contracts/" + id + "/reviews", e, new JsonObject().put("rating", 6)).expectProblem(400, "validation_failed");
    JsonObject review = api.post("/api/contracts/" + id + "/reviews", e, new JsonObject().put("rating", 4)
        .put("comment", "Good work")).expect(201).json();
    assertEquals(freelancer.getString("id"), review.getString("revieweeId"));
    api.post("/api/contracts/" + id + "/reviews", e, new JsonObject().put("rating", 5)).expectProblem(409, "already_reviewed");
    api.send(io.vertx.core.http.HttpMethod.PATCH, "/api/contracts/" + id + "/reviews", e,
        new JsonObject().put("rating", 5).put("comment", "Great work").toBuffer(), java.util.Map.of()).expect(200);
    api.post("/api/contracts/" + id + "/reviews", f, new JsonObject().put("rating", 3).put("comment", "Slow to pay")).expect(201);
    // Eight days on (the test moves the review's clock), it can no longer be edited.
    io.vertx.sqlclient.Pool db = node.node().database(node.node().vertx(), "marketplace");
    db.preparedQuery("UPDATE reviews SET created_at = now() - interval '8 days' WHERE contract_id = $1 AND reviewer_id = $2")
        .execute(io.vertx.sqlclient.Tuple.of(UUID.fromString(id), UUID.fromString(employer.getString("id"))))
        .await(5, java.util.concurrent.TimeUnit.SECONDS);
    db.close();
    api.send(io.vertx.core.http.HttpMethod.PATCH, "/api/contracts/" + id + "/reviews", e,
        new JsonObject().put("rating", 1).toBuffer(), java.util.Map.of()).expectProblem(409, "review_locked");
    JsonObject reviews = api.get("/api/users/" + freelancer.getString("id") + "/reviews", null).expect(200).json();
    assertEquals(5.0, reviews.getDouble("average"));
    assertEquals(1, reviews.getInteger("count"));
    assertEquals("Great work", reviews.getJsonArray("items").getJsonObject(0).getString("comment"));
    assertEquals(3.0, api.get("/api/users/" + employer.getString("id") + "/reviews", null).expect(200).json()
        .getDouble("average"));
    assertEquals(4, notification(freelancer, "review.received", id).getJsonObject("data").getInteger("rating"),
        "told of the review as first posted");
    assertEquals(3, notification(employer, "review.received", id).getJsonObject("data").getInteger("rating"));
  }

  @Test
  void aDisputeFreezesTheContractUntilAnAdminSplitsIt() {
    HttpApi api = node.api();
    JsonObject employer = user("employer");
    JsonObject made = activeContract(employer);
    JsonObject contract = made.getJsonObject("contract");
    JsonObject freelancer = made.getJsonObject("freelancer");
    String id = contract.getString("id");
    String e = employer.getString("token");
    String f = freelancer.getString("token");
    String first = contract.getJsonArray("milestones").getJsonObject(0).getString("id");

    api.post("/api/contracts/" + id + "/dispute", f, new JsonObject()).expectProblem(400, "validation_failed");
    JsonObject disputed = api.post("/api/contracts/" + id + "/dispute", f, new JsonObject().put("reason", "Unpaid work"))
        .expect(200).json();
    assertEquals("disputed", disputed.getString("status"));
    assertEquals("Unpaid work", disputed.getJsonObject("dispute").getString("reason"));
    // Frozen: nothing moves.
    api.post("/api/contracts/" + id + "/milestones/" + first + "/submit", f, null).expectProblem(409, "contract_not_active");
    api.post("/api/contracts/" + id + "/cancel", e, null).expectProblem(409, "contract_not_active");
    // Only an admin resolves.
    api.post("/api/admin/disputes/" + id + "/resolve", e, new JsonObject().put("freelancerShare", 100))
        .expectProblem(403, "forbidden");
    api.post("/api/admin/disputes/" + id + "/resolve", admin, new JsonObject().put("freelancerShare", 101))
        .expectProblem(400, "validation_failed");
    JsonObject resolved = api.post("/api/admin/disputes/" + id + "/resolve", admin, new JsonObject().put("freelancerShare", 50))
        .expect(200).json();
    assertEquals("resolved", resolved.getString("status"));
    assertEquals(List.of("split", "split"), statuses(resolved));
    // Half of 40 to the freelancer less 10 %, the other half back to the employer.
    assertEquals("18", wallet(freelancer).getString("balance"));
    assertEquals("20", wallet(employer).getString("available"));
    api.post("/api/admin/disputes/" + id + "/resolve", admin, new JsonObject().put("freelancerShare", 50))
        .expectProblem(409, "not_disputed");

    // Each party heard: the employer of the dispute, both of its resolution (the freelancer not of their own dispute).
    JsonObject toldOfDispute = notification(employer, "contract.disputed", id);
    assertEquals("Unpaid work", toldOfDispute.getJsonObject("data").getString("reason"));
    assertEquals(freelancer.getString("id"), toldOfDispute.getJsonObject("data").getString("disputedBy"));
    assertEquals(50, notification(employer, "contract.resolved", id).getJsonObject("data").getInteger("freelancerShare"));
    assertEquals(50, notification(freelancer, "contract.resolved", id).getJsonObject("data").getInteger("freelancerShare"));
    assertTrue(notifications(freelancer).stream().noneMatch(n -> "contract.disputed".equals(((JsonObject) n).getString("kind"))));
  }

  /** {@code user}'s notification of {@code kind} about contract {@code id}, once tutoring has stored it. */
  static JsonObject notification(JsonObject user, String kind, String id) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      JsonObject found = notifications(user).stream().map(n -> (JsonObject) n)
          .filter(n -> kind.equals(n.getString("kind")) && id.equals(n.getJsonObject("data").getString("contractId")))
          .findFirst().orElse(null);
      if (found != null) {
        return found;
      }
      assertTrue(System.currentTimeMillis() < deadline, user.getString("id") + " was told of " + kind);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static io.vertx.core.json.JsonArray notifications(JsonObject user) {
    return node.api().get("/api/notifications", user.getString("token")).expect(200).json().getJsonArray("items");
  }

  static List<String> statuses(JsonObject contract) {
    return contract.getJsonArray("milestones").stream().map(m -> ((JsonObject) m).getString("status")).toList();
  }

  static String status(JsonObject contract, int milestone) {
    return contract.getJsonArray("milestones").getJsonObject(milestone).getString("status");
  }
}
