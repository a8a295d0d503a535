package io.azora.platform;

import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.HttpApi.Response;
import io.azora.support.NodeExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deadlines across the bus: gateway → education → finance, each hop given less than its caller has left.
 * With the learner's wallet held busy past the gateway's patience, finance gives up first (nothing moves),
 * education answers with that before the gateway's own timeout, and the client's 503 is about work that
 * did not happen: once the wallet is free, nothing was charged and a retry enrols, charging once.
 */
class DeadlineTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(Courses.withAdmin(new JsonObject()
      .put("http", new JsonObject().put("serviceTimeoutMs", 1500))));

  static JsonObject user(HttpApi api, String role) {
    JsonObject t = api.register(role + "-" + UUID.randomUUID() + "@azora.test", "violet-harbor-42", "D", role);
    return new JsonObject().put("id", t.getJsonObject("user").getString("id")).put("token", t.getString("accessToken"));
  }

  @Test
  void aBusyWalletTimesOutInsideAndNothingIsChargedForThe503(HttpApi api) throws Exception {
    JsonObject teacher = user(api, "instructor");
    JsonObject learner = user(api, "student");
    String course = api.post("/api/courses", teacher.getString("token"), new JsonObject().put("title", "Patience")
        .put("price", "10").put("level", "beginner").put("category", "deadlines")).expect(201).json().getString("id");
    String module = api.post("/api/courses/" + course + "/modules", teacher.getString("token"), new JsonObject().put("title", "M"))
        .expect(201).json().getString("id");
    api.post("/api/courses/" + course + "/modules/" + module + "/lessons", teacher.getString("token"),
        new JsonObject().put("title", "L").put("content", "x")).expect(201);
    api.post("/api/courses/" + course + "/publish", teacher.getString("token"), null).expect(200);
    api.post("/api/admin/wallets/" + learner.getString("id") + "/grants", Courses.admin(api),
        new JsonObject().put("amount", "20").put("reason", "tuition")).expect(201);

    // Something else holds the learner's wallet for three seconds (twice the gateway's patience).
    Vertx vertx = node.node().vertx();
    Pool finance = node.node().database(vertx, "finance");
    SqlConnection holder = finance.getConnection().await(5, TimeUnit.SECONDS);
    Transaction hold = holder.begin().await(5, TimeUnit.SECONDS);
    holder.preparedQuery("SELECT id FROM accounts WHERE owner_id = $1 AND kind = 'wallet' FOR UPDATE")
        .execute(Tuple.of(UUID.fromString(learner.getString("id")))).await(5, TimeUnit.SECONDS);
    try {
      long started = System.nanoTime();
      CompletableFuture<Response> enrol = CompletableFuture.supplyAsync(() ->
          api.post("/api/courses/" + course + "/enroll", learner.getString("token"), null));
      Response answer = enrol.get(20, TimeUnit.SECONDS);
      long ms = (System.nanoTime() - started) / 1_000_000;
      // Finance's refusal, passed on by education, arrives before the gateway would have timed out.
      answer.expectProblem(503, "busy");
      assertTrue(ms < 1500, "answered after " + ms + " ms");
      Thread.sleep(3000 - ms);
    } finally {
      hold.commit().await(5, TimeUnit.SECONDS);
      holder.close();
      finance.close();
    }
    Thread.sleep(500);
    assertEquals("20", api.get("/api/wallet/balance", learner.getString("token")).expect(200).json().getString("balance"),
        "the 503 was not for a charge made afterwards");
    assertTrue(api.get("/api/progress/" + learner.getString("id"), learner.getString("token")).expect(200).json()
        .getJsonArray("enrollments").isEmpty());
    // The wallet is free again: the retry enrols and charges once.
    api.post("/api/courses/" + course + "/enroll", learner.getString("token"), null).expect(201);
    assertEquals("10", api.get("/api/wallet/balance", learner.getString("token")).expect(200).json().getString("balance"));
  }

  @Test
  void aDomainRefusesWorkWhoseDeadlineHasPassed() throws Exception {
    // A call that reaches the domain after its caller stopped waiting (it queued, or was sent late) is refused
    // at once, never done unseen.
    io.vertx.core.eventbus.DeliveryOptions late = new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(5000)
        .addHeader(RequestContext.BUDGET, "-1");
    io.vertx.core.eventbus.ReplyException refused = org.junit.jupiter.api.Assertions.assertThrows(
        io.vertx.core.eventbus.ReplyException.class, () -> io.azora.education.EducationService
            .createProxy(node.node().vertx(), late).listCourses(new JsonObject()).await(10, TimeUnit.SECONDS));
    assertEquals(503, refused.failureCode());
    // With time left, the same call is served.
    io.vertx.core.eventbus.DeliveryOptions inTime = new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(5000)
        .addHeader(RequestContext.BUDGET, "4000");
    assertTrue(io.azora.education.EducationService.createProxy(node.node().vertx(), inTime).listCourses(new JsonObject())
        .await(10, TimeUnit.SECONDS).containsKey("items"));
  }
}
