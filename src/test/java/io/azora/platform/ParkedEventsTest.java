package io.azora.platform;

import io.azora.education.EducationEvents;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.azora.support.StandInEducation;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Poison events: an event whose handler keeps failing is retried with back-off, then parked (with its
 * error, a metric and a log line) so that the events after it are handled; a malformed one is parked at
 * once. Operators list parked events and retry them through the gateway once the cause is fixed.
 */
class ParkedEventsTest {

  static final String ADMIN = "ops@azora.test";
  static final String ADMIN_PASSWORD = "operations-passphrase";

  // Finance consumes education's events; a stand-in producer writes them (education itself stays off).
  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject()
      .put("node", new JsonObject().put("verticles", "auth,finance,gateway"))
      .put("auth", new JsonObject().put("adminEmail", ADMIN).put("adminPassword", ADMIN_PASSWORD))
      .put("nexus", new JsonObject().put("maxAttempts", 3).put("retryBaseMs", 100)));

  static StandInEducation education;
  static Pool finance;

  @BeforeAll
  static void standIn() throws Exception {
    education = StandInEducation.start(node.node());
    finance = node.node().database(node.node().vertx(), "finance");
  }

  @AfterAll
  static void stop() throws Exception {
    education.close();
    finance.close().await(5, TimeUnit.SECONDS);
  }

  static DomainEvent emit(EventType type, JsonObject data) throws Exception {
    return education.emit(type, data);
  }

  static JsonArray parked(HttpApi api, String admin) {
    return api.get("/api/admin/nexus/parked", admin).expect(200).json().getJsonArray("items");
  }

  static JsonObject awaitParked(HttpApi api, String admin, Predicate<JsonObject> which) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      for (Object item : parked(api, admin)) {
        if (which.test((JsonObject) item)) {
          return (JsonObject) item;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("never parked; parked now: " + parked(api, admin).encodePrettily());
  }

  @Test
  void aPoisonEventIsParkedTheFeedMovesOnAndAnOperatorRetriesIt(HttpApi api) throws Exception {
    String admin = api.login(ADMIN, ADMIN_PASSWORD).getString("accessToken");
    JsonObject learner = api.register("l-" + UUID.randomUUID() + "@azora.test", "violet-harbor-42", "L", null);
    String learnerId = learner.getJsonObject("user").getString("id");

    // Finance's database is broken (the mint queue renamed, as by a bad manual fix): the completion cannot be handled.
    finance.query("ALTER TABLE mint_queue RENAME TO mint_queue_misnamed").execute().await(5, TimeUnit.SECONDS);
    String course = UUID.randomUUID().toString();
    DomainEvent poison = emit(EducationEvents.COURSE_COMPLETED, new JsonObject().put("userId", learnerId).put("courseId", course)
        .put("level", "beginner").put("rewardable", true));
    DomainEvent malformed = emit(EducationEvents.ASSESSMENT_PASSED, new JsonObject().put("userId", "not-a-user").put("assessmentId", "x")
        .put("rewardable", true));
    DomainEvent after = emit(EducationEvents.ASSESSMENT_PASSED, new JsonObject().put("userId", learnerId)
        .put("assessmentId", UUID.randomUUID().toString()).put("rewardable", false));

    JsonObject parkedPoison = awaitParked(api, admin, i -> poison.id().equals(i.getString("eventId")));
    assertEquals("course.completed", parkedPoison.getString("type"));
    assertEquals("finance", parkedPoison.getString("consumer"));
    assertEquals(3, parkedPoison.getInteger("attempts"), "retried, then parked");
    assertTrue(parkedPoison.getString("lastError").contains("mint_queue"), parkedPoison::encode);
    JsonObject parkedMalformed = awaitParked(api, admin, i -> malformed.id().equals(i.getString("eventId")));
    assertEquals(1, parkedMalformed.getInteger("attempts"), "malformed: parked at once");

    // The events after them were handled: the consumer moved on.
    long deadline = System.currentTimeMillis() + 10_000;
    while (finance.preparedQuery("SELECT 1 FROM nexus_inbox WHERE consumer = 'finance' AND event_id = $1")
        .execute(Tuple.of(UUID.fromString(after.id()))).await(5, TimeUnit.SECONDS).size() == 0) {
      assertTrue(System.currentTimeMillis() < deadline, "the event after the poison was never handled");
      Thread.sleep(100);
    }
    String metrics = node.node().node().registry().scrape();
    assertTrue(metrics.contains("azora_nexus_events_parked_total{consumer=\"finance\"} 2.0"), metrics);
    api.get("/api/admin/nexus/parked", learner.getString("accessToken")).expectProblem(403, "forbidden");

    // Fixed, then retried by an operator: handled once, gone from the list; the malformed one still fails.
    finance.query("ALTER TABLE mint_queue_misnamed RENAME TO mint_queue").execute().await(5, TimeUnit.SECONDS);
    JsonObject retried = api.post("/api/admin/nexus/parked/" + parkedPoison.getString("id") + "/retry", admin, null)
        .expect(202).json();
    assertEquals("handled", retried.getString("outcome"));
    // Handled: recorded and queued; minted moments later.
    deadline = System.currentTimeMillis() + 10_000;
    while (!"100".equals(api.get("/api/wallet/balance", learner.getString("accessToken")).expect(200).json().getString("balance"))) {
      assertTrue(System.currentTimeMillis() < deadline, "the retried completion was never minted");
      Thread.sleep(100);
    }
    JsonObject again = api.post("/api/admin/nexus/parked/" + parkedMalformed.getString("id") + "/retry", admin, null)
        .expect(202).json();
    assertEquals("failed", again.getString("outcome"));
    JsonArray left = parked(api, admin);
    assertTrue(left.stream().noneMatch(i -> poison.id().equals(((JsonObject) i).getString("eventId"))), left::encode);
    assertTrue(left.stream().anyMatch(i -> malformed.id().equals(((JsonObject) i).getString("eventId"))
        && ((JsonObject) i).getInteger("attempts") == 2), left::encode);
    api.post("/api/admin/nexus/parked/" + UUID.randomUUID() + "/retry", admin, null).expectProblem(404, "not_found");
    // A retried event is still handled only once.
    api.post("/api/admin/nexus/parked/" + parkedPoison.getString("id") + "/retry", admin, null).expectProblem(404, "not_found");
    assertEquals("100", api.get("/api/wallet/balance", learner.getString("accessToken")).expect(200).json().getString("balance"));
  }
}
