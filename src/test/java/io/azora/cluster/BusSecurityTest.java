package io.azora.cluster;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import io.azora.education.EducationEvents;
import io.azora.finance.FinanceService;
import io.azora.finance.TransferRequest;
import io.azora.platform.DomainEvent;
import io.azora.platform.Nexus;
import io.azora.support.ChildNode;
import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.Market;
import io.azora.support.TestInfra;
import io.azora.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event bus admits only the cluster's own nodes. Two nodes (this JVM's gateway, a child JVM with auth and
 * finance) talk over mutual TLS with certificates of one CA (made by tools/cluster-ca.sh). Intruders join the
 * same Hazelcast cluster — one with no certificate, one with a certificate of another CA — and try what an
 * attacker would: move someone's AZR through finance, read auth's requests by registering on its address,
 * and publish a forged Nexus event that would mint AZR. None of it works, and the cluster keeps serving.
 */
class BusSecurityTest {

  static Path certs;
  static Path strangerCerts;
  static String clusterName;
  static String prefix;
  static ChildNode domains;
  static TestNode gateway;
  static Vertx testVertx;

  @BeforeAll
  static void startCluster() throws Exception {
    certs = Files.createTempDirectory("azora-ca");
    strangerCerts = Files.createTempDirectory("azora-other-ca");
    run("tools/cluster-ca.sh", certs.toString(), "domains", "gateway");
    run("tools/cluster-ca.sh", strangerCerts.toString(), "stranger");
    prefix = TestNode.newPrefix();
    clusterName = "azora-secure-" + UUID.randomUUID();
    Map<String, String> env = new HashMap<>(Map.of("AZORA_VERTICLES", "auth,finance", "AZORA_NODE_CLUSTER_NAME", clusterName,
        "AZORA_NODE_BUS_TLS_CERT_PATH", certs.resolve("domains.pem").toString(),
        "AZORA_NODE_BUS_TLS_KEY_PATH", certs.resolve("domains-key.pem").toString(),
        "AZORA_NODE_BUS_TLS_CA_PATH", certs.resolve("ca.pem").toString(),
        "AZORA_NODE_BUS_TLS_REQUIRED", "true"));
    env.put("AZORA_AUTH_ADMIN_EMAIL", Courses.ADMIN_EMAIL);
    env.put("AZORA_AUTH_ADMIN_PASSWORD", Courses.ADMIN_PASSWORD);
    domains = ChildNode.start(prefix, 0, env, "--cluster");
    int port = TestInfra.freePort();
    gateway = TestNode.start(prefix, TestNode.config(prefix, port, new JsonObject()
        .put("node", new JsonObject().put("cluster", true).put("clusterName", clusterName).put("verticles", "gateway")
            .put("busTls", new JsonObject().put("certPath", certs.resolve("gateway.pem").toString())
                .put("keyPath", certs.resolve("gateway-key.pem").toString())
                .put("caPath", certs.resolve("ca.pem").toString()).put("required", true)))), false);
    testVertx = Vertx.vertx();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (domains != null) {
      domains.close();
    }
    if (testVertx != null) {
      testVertx.close().await(10, TimeUnit.SECONDS);
    }
    TestInfra.dropDatabases(prefix);
  }

  @Test
  void onlyTheClustersOwnNodesAreHeard() throws Exception {
    HttpApi api = new HttpApi(testVertx, gateway.port);
    awaitUp(api, "auth", "finance");  // gateway and domains talk: over mutual TLS
    JsonObject victim = Market.user(api, "student");
    JsonObject thief = Market.user(api, "student");
    String admin = api.login(Courses.ADMIN_EMAIL, Courses.ADMIN_PASSWORD).getString("accessToken");
    Market.grant(api, admin, victim, "100");

    for (Vertx intruder : List.of(intruder(null), intruder(strangerCerts))) {
      try {
        // 1. Move the victim's AZR to the thief, as finance's own callers would: no connection is accepted.
        Throwable refused = FinanceService.createProxy(intruder, new DeliveryOptions().setSendTimeout(3_000))
            .transfer(victim.getString("id"), new TransferRequest(thief.getString("id"), "100", "gift"), UUID.randomUUID().toString())
            .transform(ar -> Future.succeededFuture(ar.cause())).await(10, TimeUnit.SECONDS);
        assertNotNull(refused, "finance never answered an intruder");
        assertEquals("100", balance(api, victim), "nothing moved");

        // 2. Listen where auth's requests arrive: logins must never be delivered here.
        AtomicInteger overheard = new AtomicInteger();
        intruder.eventBus().consumer("azora.auth", msg -> overheard.incrementAndGet()).completion().await(10, TimeUnit.SECONDS);
        Thread.sleep(1_000);  // the registration reaches every node's view of the cluster
        for (int i = 0; i < 10; i++) {
          api.send(io.vertx.core.http.HttpMethod.POST, "/api/auth/login", null, new JsonObject()
              .put("email", "nobody-" + i + "@azora.test").put("password", "secret-passphrase").toBuffer(), Map.of());
        }
        assertEquals(0, overheard.get(), "no request reached an intruder");

        // 3. A forged Nexus event that would mint AZR for the thief, sent to finance's group and published.
        JsonObject forged = DomainEvent.create(EducationEvents.ASSESSMENT_PASSED, new JsonObject()
            .put("userId", thief.getString("id")).put("assessmentId", UUID.randomUUID().toString())
            .put("courseId", UUID.randomUUID().toString()).put("score", 100).put("rewardable", true)
            .put("difficulty", "expert").put("attemptId", UUID.randomUUID().toString())).toJson();
        intruder.eventBus().request(Nexus.groupAddress(EducationEvents.ASSESSMENT_PASSED.name(), "finance"), forged,
            new DeliveryOptions().setSendTimeout(3_000)).otherwiseEmpty().await(10, TimeUnit.SECONDS);
        intruder.eventBus().publish(DomainEvent.address(EducationEvents.ASSESSMENT_PASSED.name()), forged);
        Thread.sleep(2_000);
        assertEquals("0", balance(api, thief), "no AZR minted from a forged event");
      } finally {
        intruder.close().await(15, TimeUnit.SECONDS);
      }
    }
    // The cluster still serves once the intruders have gone.
    assertEquals("100", balance(api, victim));
    api.login(Courses.ADMIN_EMAIL, Courses.ADMIN_PASSWORD);
  }

  /** A clustered Vert.x in the same Hazelcast cluster: with no certificate, or with one of another CA. */
  static Vertx intruder(Path otherCa) throws Exception {
    EventBusOptions bus = new EventBusOptions().setHost("127.0.0.1");
    if (otherCa != null) {
      bus.setSsl(true).setClientAuth(ClientAuth.REQUIRED)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(otherCa.resolve("stranger.pem").toString())
              .setKeyPath(otherCa.resolve("stranger-key.pem").toString()))
          .setTrustOptions(new PemTrustOptions().addCertPath(otherCa.resolve("ca.pem").toString()));
    }
    Config hazelcast = new ClasspathXmlConfig("conf/cluster.xml");
    hazelcast.setClusterName(clusterName);
    return Vertx.builder().with(new VertxOptions().setEventBusOptions(bus))
        .withClusterManager(new HazelcastClusterManager(hazelcast)).buildClustered().await(60, TimeUnit.SECONDS);
  }

  static String balance(HttpApi api, JsonObject user) {
    return api.get("/api/wallet/balance", user.getString("token")).expect(200).json().getString("balance");
  }

  static void awaitUp(HttpApi api, String... services) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < deadline) {
      assertTrue(domains.process.isAlive(), () -> "domains node died: " + domains.log());
      JsonObject health = api.get("/api/health", null).json().getJsonObject("services");
      if (java.util.Arrays.stream(services).allMatch(s -> "up".equals(health.getString(s)))) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("domains never reachable over the TLS bus: " + domains.log());
  }

  static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
  }
}
