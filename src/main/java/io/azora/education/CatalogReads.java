package io.azora.education;

import io.azora.platform.SharedRedis;
import io.azora.platform.VersionedCache;
import io.azora.platform.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;

import java.util.UUID;
import java.util.function.Supplier;

/**
 * Catalogue reads through the Redis cache ({@link VersionedCache}): the course list per query and each
 * published course's page. A cache that is down only costs speed: reads go to the database.
 */
final class CatalogReads {

  private final Redis redis;
  private final VersionedCache cache;
  private final int ttlSeconds;
  private final CourseSearch search;
  private final CatalogQueries queries;

  CatalogReads(Redis redis, VersionedCache cache, int ttlSeconds, CourseSearch search, CatalogQueries queries) {
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
    return cache.read(redis, entry, ttlSeconds, load);  // ttl 0: education.catalogCacheSeconds turned it off
  }
}
