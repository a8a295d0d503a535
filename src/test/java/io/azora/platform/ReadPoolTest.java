package io.azora.platform;

import io.azora.support.Courses;
import io.azora.support.HttpApi;
import io.azora.support.Market;
import io.azora.support.TestInfra;
import io.azora.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A domain's search reads go to the read URL configured for it ({@code database.readUrls.<domain>}) when
 * that server has replayed what the primary committed before the read (a primary given as its own replica
 * always has), and a read URL that is not a replica of the domain's database is refused at start.
 */
class ReadPoolTest {

  static JsonObject readUrl(String prefix, String database) {
    JsonObject db = TestInfra.overrides(prefix).getJsonObject("database");
    return new JsonObject().put("database", new JsonObject().put("readUrls", new JsonObject().put("education",
        "postgresql://postgres@" + db.getString("host") + ":" + db.getInteger("port") + "/" + database)));
  }

  static JsonObject education(JsonObject extra) {
    return new JsonObject().put("node", new JsonObject().put("verticles", "auth,education,gateway"))
        // Every search reaches the database: none is answered from the shared cache.
        .put("education", new JsonObject().put("catalogCacheSeconds", 0)).mergeIn(extra, true);
  }

  @Test
  void searchesAreServedByACurrentReplica() throws Exception {
    String prefix = TestNode.newPrefix();
    TestNode node = TestNode.start(prefix, TestNode.config(prefix, TestInfra.freePort(),
        education(readUrl(prefix, prefix + "education"))), true);
    Vertx vertx = Vertx.vertx();
    try {
      HttpApi api = new HttpApi(vertx, node.port);
      JsonObject teacher = Market.user(api, "instructor");
      String title = "Replicated " + UUID.randomUUID();
      String course = api.post("/api/courses", teacher.getString("token"), new JsonObject().put("title", title)
          .put("price", "0").put("level", "beginner").put("category", "replication")).expect(201).json().getString("id");
      Courses.lesson(api, teacher.getString("token"), course);
      api.post("/api/courses/" + course + "/publish", teacher.getString("token"), null).expect(200);

      // Published a moment ago: the search sees it, served by the read pool, not the primary.
      JsonArray found = api.get("/api/courses?q=Replicated&category=replication", null).expect(200).json().getJsonArray("items");
      assertEquals(1, found.size(), found::encode);
      assertEquals(course, found.getJsonObject(0).getString("id"));
      String metrics = node.node().registry().scrape();
      assertTrue(metrics.contains("azora_db_reads_total{domain=\"education\",served=\"replica\"} 1.0"), metrics);
      assertTrue(metrics.contains("azora_db_reads_total{domain=\"education\",served=\"primary\"} 0.0"), metrics);
    } finally {
      vertx.close();
      node.close();
    }
  }

  @Test
  void aReadUrlThatIsNotAReplicaIsRefusedAtStart() {
    String prefix = TestNode.newPrefix();
    // The same server, another database: not a copy of education's.
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TestNode.start(prefix,
        TestNode.config(prefix, TestInfra.freePort(), education(readUrl(prefix, "postgres"))), true));
    assertTrue(refused.getMessage().contains("database.readUrls.education is not a replica"), refused.getMessage());
  }
}
