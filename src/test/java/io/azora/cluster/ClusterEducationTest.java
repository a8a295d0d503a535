package io.azora.cluster;

import io.azora.support.ChildNode;
import io.azora.support.Courses;
import io.azora.support.HttpApi;
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
 * both ways, and a catalogue edit made through one gateway is seen at once through the other.
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
        Map.of("AZORA_VERTICLES", "finance,gateway", "AZORA_NODE_CLUSTER_NAME", clusterName),
        "--cluster");
    int port = TestInfra.freePort();
    JsonObject config = TestNode.config(prefix, port, Courses.withAdmin(new JsonObject().put("node", new JsonObject()
        .put("cluster", true).put("clusterName", clusterName).put("verticles", "auth,education,tutoring,gateway"))));
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
}
