package io.azora.cluster;

import io.azora.support.ChildNode;
import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.Market;
import io.azora.support.SocketClient;
import io.azora.support.TestInfra;
import io.azora.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Education across a two-node cluster: this JVM runs a gateway, auth and education; a child JVM runs
 * finance and a second gateway. "Pass an assessment → AZR in the wallet" travels over the clustered bus
 * both ways, and a catalogue edit made through one gateway is seen at once through the other. Real time
 * across the two: a course's room with a participant on each gateway, and a notification pushed to a socket
 * on the other node than the one that took the transfer. The marketplace runs on both: a milestone left
 * unanswered past the auto-release time is released once, whichever node's scheduler gets there.
 */
@ExtendWith(VertxExtension.class)
class ClusterEducationTest {

  static ChildNode financeNode;
  static TestNode node;
  static String prefix;

  @BeforeAll
  static void startCluster() throws Exception {
    prefix = TestNode.newPrefix();
    String clusterName = "azora-test-" + UUID.randomUUID();
    financeNode = ChildNode.start(prefix, TestInfra.freePort(),
        Map.of("AZORA_VERTICLES", "finance,marketplace,gateway", "AZORA_NODE_CLUSTER_NAME", clusterName),
        "--cluster");
    int port = TestInfra.freePort();
    JsonObject config = TestNode.config(prefix, port, Courses.withAdmin(new JsonObject().put("node", new JsonObject()
        .put("cluster", true).put("clusterName", clusterName).put("verticles", "auth,education,tutoring,marketplace,gateway"))));
    node = TestNode.start(prefix, config, false);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (node != null) {
      node.close();
    }
    if (financeNode != null) {
      financeNode.close();
    }
    TestInfra.dropDatabases(prefix);
  }

  static JsonObject user(HttpApi api, String role) {
    JsonObject t = api.register(role + "-" + UUID.randomUUID() + "@azora.test", "cluster-passphrase", "C", role);
    return new JsonObject().put("id", t.getJsonObject("user").getString("id")).put("token", t.getString("accessToken"));
  }

  /** Waits until both gateways see every domain up. */
  static void awaitCluster(HttpApi here, HttpApi there) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 90_000;
    while (!"up".equals(here.get("/api/health", null).json().getJsonObject("services").getString("finance"))) {
      assertTrue(financeNode.process.isAlive(), () -> "finance node died: " + financeNode.log());
      assertTrue(System.currentTimeMillis() < deadline, () -> "finance never joined: " + financeNode.log());
      Thread.sleep(250);
    }
    financeNode.awaitHealthy(there);
  }

  @Test
  void aPassOnOneNodeIsPaidByFinanceOnTheOther(Vertx vertx) throws Exception {
    HttpApi api = new HttpApi(vertx, node.port);
    awaitCluster(api, new HttpApi(vertx, financeNode.port));
    JsonObject teacher = user(api, "instructor");
    JsonObject student = user(api, "student");
    String t = teacher.getString("token");
    String s = student.getString("token");
    String course = api.post("/api/courses", t, new JsonObject().put("title", "Clustered").put("price", "0")
        .put("level", "beginner").put("category", "cluster")).expect(201).json().getString("id");
    String module = api.post("/api/courses/" + course + "/modules", t, new JsonObject().put("title", "M")).expect(201).json().getString("id");
    api.post("/api/courses/" + course + "/modules/" + module + "/lessons", t, new JsonObject().put("title", "L").put("content", "x"))
        .expect(201);
    JsonArray questions = Courses.questions(2).add(new JsonObject().put("type", "text")
        .put("prompt", "Say yes").put("answer", new JsonArray().add("yes")));
    String quiz = api.post("/api/courses/" + course + "/assessments", t, new JsonObject().put("title", "Q").put("passingScore", 60)
        .put("difficulty", "beginner").put("questions", questions)).expect(201).json().getString("id");
    api.post("/api/courses/" + course + "/publish", t, null).expect(200);
    Courses.verify(api, Courses.admin(api), course, "intermediate");
    api.post("/api/courses/" + course + "/enroll", s, null).expect(201);

    JsonObject attempt = api.post("/api/assessments/" + quiz + "/attempts", s, new JsonObject().put("answers", new JsonArray()
        .add(new JsonObject().put("questionIndex", 0).put("value", 0)).add(new JsonObject().put("questionIndex", 1).put("value", 0))
        .add(new JsonObject().put("questionIndex", 2).put("value", "Yes")))).expect(201).json();
    // Intermediate, full marks: 25 × 0.5 × 1.5 × 2 = 37.5 AZR, minted by the other JVM.
    assertEquals("37.5", attempt.getString("reward"));
    assertEquals("37.5", api.get("/api/wallet/balance", s).expect(200).json().getString("balance"));
  }

  @Test
  void aCatalogueEditThroughOneGatewayIsSeenThroughTheOther(Vertx vertx) throws Exception {
    HttpApi here = new HttpApi(vertx, node.port);
    HttpApi there = new HttpApi(vertx, financeNode.port);
    awaitCluster(here, there);
    String t = user(here, "instructor").getString("token");
    String category = "two-gateways-" + UUID.randomUUID().toString().substring(0, 8);
    String course = here.post("/api/courses", t, new JsonObject().put("title", "Before").put("price", "0")
        .put("level", "beginner").put("category", category)).expect(201).json().getString("id");
    String module = here.post("/api/courses/" + course + "/modules", t, new JsonObject().put("title", "M")).expect(201).json().getString("id");
    here.post("/api/courses/" + course + "/modules/" + module + "/lessons", t, new JsonObject().put("title", "L").put("content", "x"))
        .expect(201);
    here.post("/api/courses/" + course + "/publish", t, null).expect(200);

    // Read through the other gateway (twice: the second answer comes from the shared cache).
    for (int i = 0; i < 2; i++) {
      assertEquals("Before", there.get("/api/courses?category=" + category, null).expect(200).json()
          .getJsonArray("items").getJsonObject(0).getString("title"));
      assertEquals(1, there.get("/api/courses/" + course, null).expect(200).json().getJsonArray("modules")
          .getJsonObject(0).getJsonArray("lessons").size());
    }

    // Proof that the other gateway answers from the cache: a change behind the service's back is not seen.
    io.vertx.sqlclient.Pool db = node.database(vertx, "education");
    db.query("UPDATE courses SET title = 'Sneaky' WHERE id = '" + course + "'").execute()
        .await(5, java.util.concurrent.TimeUnit.SECONDS);
    db.close();
    assertEquals("Before", there.get("/api/courses/" + course, null).expect(200).json().getString("title"));

    // Edited through this gateway: the other one shows the edit at once.
    here.send(io.vertx.core.http.HttpMethod.PATCH, "/api/courses/" + course, t,
        new JsonObject().put("title", "After").toBuffer(), Map.of()).expect(200);
    here.post("/api/courses/" + course + "/modules/" + module + "/lessons", t, new JsonObject().put("title", "L2").put("content", "y"))
        .expect(201);
    assertEquals("After", there.get("/api/courses?category=" + category, null).expect(200).json()
        .getJsonArray("items").getJsonObject(0).getString("title"));
    JsonObject page = there.get("/api/courses/" + course, null).expect(200).json();
    assertEquals("After", page.getString("title"));
    assertEquals(2, page.getJsonArray("modules").getJsonObject(0).getJsonArray("lessons").size());
  }

  @Test
  void aRoomSpreadOverBothGatewaysHearsItselfAndPresenceIsShared(Vertx vertx) throws Exception {
    HttpApi here = new HttpApi(vertx, node.port);
    HttpApi there = new HttpApi(vertx, financeNode.port);
    awaitCluster(here, there);
    JsonObject teacher = user(here, "instructor");
    JsonObject student = user(here, "student");
    String course = Courses.course(here, teacher.getString("token"), "beginner", "0");
    Courses.lesson(here, teacher.getString("token"), course);
    here.post("/api/courses/" + course + "/publish", teacher.getString("token"), null).expect(200);
    here.post("/api/courses/" + course + "/enroll", student.getString("token"), null).expect(201);

    String path = "/api/rooms/" + course + "/ws";
    SocketClient onThisNode = SocketClient.connectWhenAdmitted(vertx, node.port, path, student.getString("token"));
    onThisNode.next("history", 5);
    SocketClient onTheOther = SocketClient.connectWhenAdmitted(vertx, financeNode.port, path, teacher.getString("token"));
    onTheOther.next("history", 5);
    java.util.Set<String> both = java.util.Set.of(teacher.getString("id"), student.getString("id"));
    for (SocketClient s : new SocketClient[] {onThisNode, onTheOther}) {
      s.next(m -> "presence".equals(m.getString("type")) && ids(m).equals(both), 10, "both present");
    }
    onThisNode.send(new JsonObject().put("type", "chat").put("text", "from node one"));
    onTheOther.send(new JsonObject().put("type", "chat").put("text", "from node two"));
    for (SocketClient s : new SocketClient[] {onThisNode, onTheOther}) {  // both messages, in either order
      java.util.Set<String> heard = new java.util.HashSet<>();
      while (heard.size() < 2) {
        heard.add(s.next(m -> "chat".equals(m.getString("type")), 10, "both messages; heard " + heard).getString("text"));
      }
      assertEquals(java.util.Set.of("from node one", "from node two"), heard);
    }
    onTheOther.close();
    onThisNode.next(m -> "presence".equals(m.getString("type")) && ids(m).equals(java.util.Set.of(student.getString("id"))),
        10, "the teacher gone");
    onThisNode.close();
  }

  @Test
  void aTransferTakenOnOneNodeIsPushedToASocketOnTheOther(Vertx vertx) throws Exception {
    HttpApi here = new HttpApi(vertx, node.port);
    HttpApi there = new HttpApi(vertx, financeNode.port);
    awaitCluster(here, there);
    JsonObject payer = user(here, "student");
    JsonObject payee = user(here, "student");
    here.post("/api/admin/wallets/" + payer.getString("id") + "/grants", Courses.admin(here),
        new JsonObject().put("amount", "5").put("reason", "seed")).expect(201);
    SocketClient socket = SocketClient.connect(vertx, financeNode.port, "/api/events/ws", payee.getString("token"));
    here.post("/api/wallet/transfers", payer.getString("token"), new JsonObject().put("toUserId", payee.getString("id"))
        .put("amount", "1.25")).expect(201);
    JsonObject pushed = socket.next("notification", 15);
    assertEquals("wallet.credited", pushed.getString("kind"));
    assertEquals("1.25", pushed.getJsonObject("data").getString("amount"));
    assertEquals(pushed.getString("id"), there.get("/api/notifications", payee.getString("token")).expect(200).json()
        .getJsonArray("items").getJsonObject(0).getString("id"));
    socket.close();
  }

  static java.util.Set<String> ids(JsonObject presence) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    presence.getJsonArray("users").forEach(u -> ids.add(((JsonObject) u).getString("id")));
    return ids;
  }

  @Test
  void aMilestoneDueForAutoReleaseIsPaidOnceByTwoSchedulers(Vertx vertx) throws Exception {
    HttpApi here = new HttpApi(vertx, node.port);
    HttpApi there = new HttpApi(vertx, financeNode.port);
    awaitCluster(here, there);
    JsonObject employer = Market.user(here, "employer");
    JsonObject freelancer = Market.user(here, "student");
    Market.grant(here, Courses.admin(here), employer, "40");
    String job = Market.twoMilestoneJob(here, employer);
    String application = Market.apply(here, job, freelancer);
    JsonObject contract = there.post("/api/applications/" + application + "/accept", employer.getString("token"), null)
        .expect(201).json();
    String id = contract.getString("id");
    String first = contract.getJsonArray("milestones").getJsonObject(0).getString("id");
    there.post("/api/contracts/" + id + "/milestones/" + first + "/submit", freelancer.getString("token"), null).expect(200);

    // The test's clock: the submission is moved 15 days into the past (the auto-release time is 14).
    io.vertx.sqlclient.Pool db = node.database(vertx, "marketplace");
    db.preparedQuery("UPDATE contract_milestones SET submitted_at = now() - interval '15 days' WHERE contract_id = $1 AND id = $2")
        .execute(io.vertx.sqlclient.Tuple.of(UUID.fromString(id), first)).await(5, java.util.concurrent.TimeUnit.SECONDS);
    db.close();

    long deadline = System.currentTimeMillis() + 30_000;
    String status = null;
    while (System.currentTimeMillis() < deadline) {
      status = here.get("/api/contracts/" + id, employer.getString("token")).expect(200).json().getJsonArray("milestones")
          .getJsonObject(0).getString("status");
      if ("released".equals(status)) {
        break;
      }
      Thread.sleep(250);
    }
    assertEquals("released", status);
    Thread.sleep(6_000);  // another round of both schedulers: nothing more is paid
    // Paid once: 15 less the 10 % fee (twice would be 27).
    assertEquals("13.5", here.get("/api/wallet/balance", freelancer.getString("token")).expect(200).json().getString("balance"));
  }
}
