package io.azora.education;

import io.azora.platform.SharedRedis;
import io.azora.platform.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.function.Supplier;

/**
 * Catalogue reads through the Redis cache ({@link CatalogCache}): the course list per query and each
 * published course's page. A cache that is down only costs speed: reads go to the database.
 */
final class CatalogReads {

  private static final Logger log = LoggerFactory.getLogger(CatalogReads.class);

  private final Redis redis;
  private final CatalogCache cache;
  private final int ttlSeconds;
  private final CourseSearch search;
  private final CatalogQueries queries;

  CatalogReads(Redis redis, CatalogCache cache, int ttlSeconds, CourseSearch search, CatalogQueries queries) {
    this.redis = redis;
    this.cache = cache;
    this.ttlSeconds = ttlSeconds;
    this.search = search;
    this.queries = queries;
  }

  Future<JsonObject> list(JsonObject query) {
    return cached(SharedRedis.Catalog.listEntry(query), () -> search.list(query));
  }

  /** The course page: from the cache for everyone but its instructor and admins (who may see it unpublished). */
  Future<JsonObject> course(Caller who, String courseId) {
    UUID id = CatalogQueries.uuid(courseId);
    if (Teaching.mayTeach(who)) {
      return queries.details(who, id);
    }
    return cached(SharedRedis.Catalog.courseEntry(id.toString()), () -> queries.details(who, id));
  }

  /** A lesson's content: never cached (who may read it depends on the reader's enrolment). */
  Future<JsonObject> lesson(Caller who, String lessonId) {
    return queries.lesson(who, lessonId);
  }

  private Future<JsonObject> cached(String entry, Supplier<Future<JsonObject>> load) {
    if (ttlSeconds <= 0) {
      return load.get();  // caching turned off (education.catalogCacheSeconds: 0)
    }
    return redis.send(cache.lookup(entry))
        .compose(found -> {
          String json = CatalogCache.cached(found);
          if (json != null) {
            return Future.succeededFuture(new JsonObject(json));
          }
          String version = CatalogCache.version(found);
          return load.get().onSuccess(value -> redis.send(cache.store(version, entry, value.encode(), ttlSeconds))
              .onFailure(err -> log.debug("Catalogue cache write failed: {}", err.getMessage())));
        }, err -> {
          log.debug("Catalogue cache unavailable: {}", err.getMessage());
          return load.get();
        });
  }
}
