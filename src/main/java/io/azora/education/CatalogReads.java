package io.azora.education;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

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
  private final Catalog catalog;

  CatalogReads(Redis redis, CatalogCache cache, int ttlSeconds, CourseSearch search, Catalog catalog) {
    this.redis = redis;
    this.cache = cache;
    this.ttlSeconds = ttlSeconds;
    this.search = search;
    this.catalog = catalog;
  }

  Future<JsonObject> list(JsonObject query) {
    return cached(CatalogCache.listEntry(query), () -> search.list(query));
  }

  /** The course page: from the cache for everyone but its instructor and admins (who may see it unpublished). */
  Future<JsonObject> course(Who who, String courseId) {
    UUID id = Catalog.uuid(courseId);
    if (who.mayTeach()) {
      return catalog.details(who, id);
    }
    return cached(CatalogCache.courseEntry(id.toString()), () -> catalog.details(who, id));
  }

  private Future<JsonObject> cached(String entry, java.util.function.Supplier<Future<JsonObject>> load) {
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
