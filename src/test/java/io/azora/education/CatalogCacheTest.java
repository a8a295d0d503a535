package io.azora.education;

import io.azora.platform.Nexus;
import io.azora.support.HttpApi;
import io.azora.support.NodeExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Catalogue reads come from the Redis cache (a change made behind the service's back is not seen), and
 * every change through the API — update, new lesson, new course — is seen at once.
 */
@ExtendWith(VertxExtension.class)
class CatalogCacheTest {

  @RegisterExtension
  static final NodeExtension node = NodeExtension.defaults();

  static String titles(HttpApi api, String category) {
    StringBuilder titles = new StringBuilder();
    api.get("/api/courses?category=" + category, null).expect(200).json().getJsonArray("items")
        .forEach(c -> titles.append(((JsonObject) c).getString("title")).append(';'));
    return titles.toString();
  }

  @Test
  void cachedUntilChangedThroughTheApi(HttpApi api, Vertx vertx) throws Exception {
    String teacher = CatalogTest.token(api, "instructor");
    String category = "cache-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject course = CatalogTest.publishedWithLesson(api, teacher, CatalogTest.course("First Title", category, "beginner"), "text");
    String id = course.getString("id");
    assertEquals("First Title;", titles(api, category));
    assertEquals("First Title", api.get("/api/courses/" + id, null).expect(200).json().getString("title"));

    // Changed behind the service's back: readers keep getting the cached pages.
    Pool db = node.node().database(vertx, "education");
    db.query("UPDATE courses SET title = 'Sneaky' WHERE id = '" + id + "'").execute().await(5, TimeUnit.SECONDS);
    db.close();
    assertEquals("First Title;", titles(api, category));
    assertEquals("First Title", api.get("/api/courses/" + id, null).expect(200).json().getString("title"));

    // Changed through the API: seen at once.
    api.send(HttpMethod.PATCH, "/api/courses/" + id, teacher, new JsonObject().put("title", "Second Title").toBuffer(), Map.of())
        .expect(200);
    assertEquals("Second Title;", titles(api, category));
    assertEquals("Second Title", api.get("/api/courses/" + id, null).expect(200).json().getString("title"));

    String module = api.get("/api/courses/" + id, null).expect(200).json().getJsonArray("modules").getJsonObject(0).getString("id");
    api.post("/api/courses/" + id + "/modules/" + module + "/lessons", teacher,
        new JsonObject().put("title", "New lesson").put("content", "more")).expect(201);
    assertEquals(2, api.get("/api/courses/" + id, null).expect(200).json().getJsonArray("modules").getJsonObject(0)
        .getJsonArray("lessons").size());

    CatalogTest.publishedWithLesson(api, teacher, CatalogTest.course("Another", category, "beginner"), "text");
    assertEquals("Another;Second Title;", titles(api, category));
  }

  @Test
  void differentQueriesNeverShareAnEntry(HttpApi api) {
    String teacher = CatalogTest.token(api, "instructor");
    String category = "keys-" + UUID.randomUUID().toString().substring(0, 8);
    CatalogTest.publishedWithLesson(api, teacher, CatalogTest.course("Go Basics", category, "beginner", "go"), "text");
    assertEquals(1, api.get("/api/courses?category=" + category + "&skill=go", null).expect(200).json()
        .getJsonArray("items").size());
    // One parameter whose value looks like the two above: nothing matches it, cached or not.
    String lookalike = URLEncoder.encode(category + ", skill=go", StandardCharsets.UTF_8);
    for (int i = 0; i < 2; i++) {
      assertEquals(0, api.get("/api/courses?category=" + lookalike, null).expect(200).json().getJsonArray("items").size());
    }
  }

  /** 40 reads of a category's list at once: each answer's status and first title. */
  static List<String> burst(WebClient readers, String category) throws Exception {
    List<Future<HttpResponse<Buffer>>> all =
        new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add(readers.get("/api/courses?category=" + category).send());
    }
    Future.all(all).await(30, TimeUnit.SECONDS);
    return all.stream().map(r -> r.result().statusCode() + " "
        + r.result().bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getString("title")).toList();
  }

  @Test
  void readersMissingTogetherAreAnsweredByOneRead(HttpApi api, Vertx vertx) throws Exception {
    String teacher = CatalogTest.token(api, "instructor");
    String category = "burst-" + UUID.randomUUID().toString().substring(0, 8);
    String id = CatalogTest.publishedWithLesson(api, teacher, CatalogTest.course("Before", category, "beginner"), "text")
        .getString("id");
    assertEquals("Before;", titles(api, category));

    // 40 readers, each on its own connection (opened, and the list cached, before the edit).
    WebClient readers = WebClient.create(vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(api.port()),
        new PoolOptions().setHttp1MaxSize(40));
    try {
      assertEquals(Collections.nCopies(40, "200 Before"), burst(readers, category));

      // Count the catalogue reads the gateway asks education for.
      AtomicInteger reads = new AtomicInteger();
      node.node().vertx().eventBus().addOutboundInterceptor(delivery -> {
        if (EducationService.ADDRESS.equals(delivery.message().address())
            && "listCourses".equals(delivery.message().headers().get("action"))) {
          reads.incrementAndGet();
        }
        delivery.next();
      });
      api.send(HttpMethod.PATCH, "/api/courses/" + id, teacher, new JsonObject().put("title", "After").toBuffer(), Map.of())
          .expect(200);

      // All at once after the edit: every reader sees it; education reads it about once per gateway
      // verticle (one per core on this node; a miss that lands just after that read ended makes another),
      // not once per reader.
      assertEquals(Collections.nCopies(40, "200 After"), burst(readers, category));
      int instances = Runtime.getRuntime().availableProcessors();
      assertTrue(reads.get() >= 1 && reads.get() <= 2 * instances, "education reads: " + reads.get());
    } finally {
      readers.close();
    }
  }

  @Test
  void aChangeWhoseNodeDiedBeforeInvalidatingIsStillSeen(HttpApi api, Vertx vertx) throws Exception {
    String teacher = CatalogTest.token(api, "instructor");
    String category = "durable-" + UUID.randomUUID().toString().substring(0, 8);
    String id = CatalogTest.publishedWithLesson(api, teacher, CatalogTest.course("Cached Title", category, "beginner"), "text")
        .getString("id");
    assertEquals("Cached Title;", titles(api, category));

    // What a node that crashed right after committing an edit leaves: the change and its event, and a
    // cache nobody invalidated.
    Pool db = node.node().database(vertx, "education");
    db.withTransaction(tx -> tx.query("UPDATE courses SET title = 'Changed' WHERE id = '" + id + "'").execute()
            .compose(v -> Nexus.emit(tx, EducationEvents.COURSE_UPDATED,
                new JsonObject().put("courseId", id).put("change", "details"))))
        .await(5, TimeUnit.SECONDS);
    db.close();

    // The event invalidates the cache on its own.
    long deadline = System.currentTimeMillis() + 10_000;
    while (!"Changed;".equals(titles(api, category)) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertEquals("Changed;", titles(api, category));
  }
}
