package io.azora.education;

import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * education.catalogCacheSeconds bounds how long any cached read lives, in Redis and in the gateways'
 * copies: a change made without the service (an operator's fix in SQL) shows once it has passed.
 */
@ExtendWith(VertxExtension.class)
class CatalogCacheTtlTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.with(new JsonObject()
      .put("education", new JsonObject().put("catalogCacheSeconds", 2)));

  @Test
  void aChangeBehindTheServicesBackShowsAfterTheTtl(HttpApi api, Vertx vertx) throws Exception {
    String teacher = CatalogTest.token(api, "instructor");
    String category = "ttl-" + UUID.randomUUID().toString().substring(0, 8);
    String id = CatalogTest.publishedWithLesson(api, teacher, CatalogTest.course("Typo Titel", category, "beginner"), "text")
        .getString("id");
    assertEquals("Typo Titel;", CatalogCacheTest.titles(api, category));

    Pool db = node.node().database(vertx, "education");
    db.query("UPDATE courses SET title = 'Typo Title' WHERE id = '" + id + "'").execute().await(5, TimeUnit.SECONDS);
    db.close();
    long changedAt = System.currentTimeMillis();
    assertEquals("Typo Titel;", CatalogCacheTest.titles(api, category), "cached at first");

    while (!"Typo Title;".equals(CatalogCacheTest.titles(api, category)) && System.currentTimeMillis() - changedAt < 10_000) {
      Thread.sleep(100);
    }
    assertEquals("Typo Title;", CatalogCacheTest.titles(api, category));
    long shownAfter = System.currentTimeMillis() - changedAt;
    // Within the TTL (2 s) of when the entry was cached, plus a margin for a loaded machine.
    org.junit.jupiter.api.Assertions.assertTrue(shownAfter <= 4_000, "shown after " + shownAfter + " ms");
  }
}
