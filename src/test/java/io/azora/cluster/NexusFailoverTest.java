package io.azora.cluster;

import io.azora.support.ChildNode;
import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.TestInfra;
import io.azora.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nexus outlives the node whose relays deliver the events. Two JVMs run every domain; the first to start
 * holds the relay leases. It is killed (kill -9: no draining, no goodbye); a pass on the survivor is still
 * rewarded, because the survivor's relays take the leases over and deliver education's and finance's events.
 */
@ExtendWith(VertxExtension.class)
class NexusFailoverTest {

  static final String LEASED = "The relay of education on this node holds the lease";

  @Test
  void killingTheRelayingNodeLosesNoReward(Vertx vertx) throws Exception {
    String prefix = TestNode.newPrefix();
    Map<String, String> env = Map.of("AZORA_NODE_CLUSTER_NAME", "azora-test-" + UUID.randomUUID(),
        "AZORA_AUTH_ADMIN_EMAIL", Courses.ADMIN_EMAIL, "AZORA_AUTH_ADMIN_PASSWORD", Courses.ADMIN_PASSWORD);
    ChildNode first = ChildNode.start(prefix, TestInfra.freePort(), env, "--cluster");
    ChildNode second = null;
    try {
      first.awaitHealthy(new HttpApi(vertx, first.port));
      second = ChildNode.start(prefix, TestInfra.freePort(), env, "--cluster");
      HttpApi api = new HttpApi(vertx, second.port);
      second.awaitHealthy(api);
      assertTrue(first.log().contains(LEASED), "the first node holds education's lease");
      assertTrue(!second.log().contains(LEASED), "only one node relays education's events");

      String teacher = api.register("failover-t-" + UUID.randomUUID() + "@azora.test", "failover-passphrase", "T", "instructor")
          .getString("accessToken");
      JsonObject learner = api.register("failover-s-" + UUID.randomUUID() + "@azora.test", "failover-passphrase", "S", null);
      String student = learner.getString("accessToken");
      String course = Courses.course(api, teacher, "expert", "0");
      String quiz = Courses.assessment(api, teacher, course, 70, 3);
      Courses.lesson(api, teacher, course);
      api.post("/api/courses/" + course + "/publish", teacher, null).expect(200);
      Courses.verify(api, Courses.admin(api), course, "intermediate");
      api.post("/api/courses/" + course + "/enroll", student, null).expect(201);

      first.kill();
      // The survivor's cluster view drops the dead node within Hazelcast's 5 s heartbeat limit.
      Thread.sleep(6000);
      second.awaitHealthy(api);
      Courses.pass(api, student, quiz, 3);
      // Intermediate, full marks: 25 × 0.5 × 1.5 × 2 = 37.5 AZR, whenever the relays have taken over.
      long deadline = System.currentTimeMillis() + 30_000;
      String balance = null;
      while (!"37.5".equals(balance) && System.currentTimeMillis() < deadline) {
        balance = api.get("/api/wallet/balance", student).expect(200).json().getString("balance");
        Thread.sleep(200);
      }
      ChildNode survivor = second;
      assertEquals("37.5", balance, () -> "survivor's log: " + survivor.log());
      assertTrue(second.log().contains(LEASED), "the survivor took education's lease over");
    } finally {
      if (second != null) {
        second.close();
      }
      first.close();
      TestInfra.dropDatabases(prefix);
    }
  }
}
