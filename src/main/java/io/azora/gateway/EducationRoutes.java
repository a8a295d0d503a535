package io.azora.gateway;

import io.azora.platform.SharedRedis;
import io.azora.platform.Caller;
import io.azora.education.EducationService;
import io.azora.gateway.Api.Access;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import static io.azora.gateway.Api.body;

/** API.md's Education section: HTTP in, EducationService calls on the bus, HTTP out. No domain logic here. */
final class EducationRoutes implements DomainRoutes {

  private static final long NEAR_CACHE_BYTES = 16L << 20;
  private static final List<String> LIST_PARAMS = List.of("category", "level", "skill", "q", "page", "limit", "cursor");

  private final Api api;
  private final EducationService education;
  private final String cacheVersionKey;
  private final String cacheEntryPrefix;
  private final boolean cacheOn;
  /** This verticle's copies of catalogue pages (see {@link NearCache}). */
  private final NearCache near;

  EducationRoutes(Api api) {
    this.api = api;
    // How long education caches catalogue reads (education.catalogCacheSeconds; 0 = off).
    int cacheSeconds = SharedRedis.Catalog.ttlSeconds(api.rawConfig());
    this.cacheOn = cacheSeconds > 0;
    this.near = new NearCache(NEAR_CACHE_BYTES, Duration.ofSeconds(Math.max(1, cacheSeconds)));
    this.education = EducationService.createProxy(api.vertx(), api.delivery());
    this.cacheVersionKey = SharedRedis.Catalog.versionKey(api.config().redis().keyPrefix());
    this.cacheEntryPrefix = SharedRedis.Catalog.entryPrefix(api.config().redis().keyPrefix());
  }

  /**
   * Catalogue reads answered from the shared Redis cache when it has them, in the rate limiter's round
   * trip (no trip to education); otherwise education reads the database and fills the cache. Instructors
   * and admins reading a course page always go through, since they may see it unpublished.
   */
  private Function<RoutingContext, RateLimiter.CacheProbe> cached(Function<RoutingContext, String> entry,
                                                                  boolean forTeachers) {
    return ctx -> {
      Caller caller = Api.caller(ctx);
      if (!cacheOn || !forTeachers && caller != null && (caller.has("instructor") || caller.has("admin"))) {
        return null;
      }
      return near.probe(cacheVersionKey, cacheEntryPrefix, entry.apply(ctx));
    };
  }

  /** A catalogue read through education after a cache miss; concurrent misses of one entry share one call. */
  private Handler<RoutingContext> cachedCall(Function<RoutingContext, Future<JsonObject>> read) {
    return call(200, ctx -> near.afterMiss(ctx, () -> read.apply(ctx)));
  }

  private static JsonObject listQuery(RoutingContext ctx) {
    return Api.queryOf(ctx, LIST_PARAMS);
  }

  private <T> Handler<RoutingContext> call(int status, Function<RoutingContext, Future<T>> call) {
    return api.respond(status, "education", call);
  }

  /** The verified caller, or nobody. */
  static Caller who(RoutingContext ctx) {
    Caller caller = Api.caller(ctx);
    return caller == null ? Caller.ANONYMOUS : caller;
  }

  @Override
  public void mount(Router r) {
    r.get("/api/courses")
        .handler(api.guard(Access.PUBLIC, cached(ctx -> SharedRedis.Catalog.listEntry(listQuery(ctx)), true)))
        .handler(api.validate("listCourses"))
        .handler(cachedCall(ctx -> education.listCourses(listQuery(ctx))));
    r.post("/api/courses").handler(api.guard(Access.USER)).handler(api.validate("createCourse")).handler(api.idempotent())
        .handler(call(201, ctx -> education.createCourse(who(ctx), ExactAmounts.body(ctx, "price"))));
    r.get("/api/courses/:id")
        .handler(api.guard(Access.PUBLIC, cached(ctx -> SharedRedis.Catalog.courseEntry(ctx.pathParam("id")), false)))
        .handler(api.validate("course"))
        .handler(cachedCall(ctx -> education.course(who(ctx), ctx.pathParam("id"))));
    r.patch("/api/courses/:id").handler(api.guard(Access.USER)).handler(api.validate("updateCourse"))
        .handler(call(200, ctx -> education.updateCourse(who(ctx), ctx.pathParam("id"), ExactAmounts.body(ctx, "price"))));
    r.post("/api/courses/:id/publish").handler(api.guard(Access.USER)).handler(api.validate("publishCourse"))
        .handler(call(200, ctx -> education.publishCourse(who(ctx), ctx.pathParam("id"))));
    r.post("/api/courses/:id/modules").handler(api.guard(Access.USER)).handler(api.validate("addModule"))
        .handler(api.idempotent())
        .handler(call(201, ctx -> education.addModule(who(ctx), ctx.pathParam("id"), body(ctx))));
    r.post("/api/courses/:id/modules/:mid/lessons").handler(api.guard(Access.USER)).handler(api.validate("addLesson"))
        .handler(api.idempotent())
        .handler(call(201, ctx -> education.addLesson(who(ctx), ctx.pathParam("id"), ctx.pathParam("mid"), body(ctx))));
    r.get("/api/lessons/:id").handler(api.guard(Access.USER)).handler(api.validate("lesson"))
        .handler(call(200, ctx -> education.lesson(who(ctx), ctx.pathParam("id"))));
    r.post("/api/courses/:id/enroll").handler(api.guard(Access.USER)).handler(api.validate("enroll"))
        .handler(api.idempotent())
        .handler(call(201, ctx -> education.enroll(who(ctx), ctx.pathParam("id"), ExactAmounts.body(ctx, "expectedPrice"))));
    r.post("/api/admin/courses/:id/verify").handler(api.guard(Access.ADMIN)).handler(api.validate("verifyCourse"))
        .handler(call(200, ctx -> education.verifyCourse(who(ctx), ctx.pathParam("id"), body(ctx))));
    r.post("/api/lessons/:id/complete").handler(api.guard(Access.USER)).handler(api.validate("completeLesson"))
        .handler(call(200, ctx -> education.completeLesson(who(ctx), ctx.pathParam("id"))));
    r.get("/api/progress/:studentId").handler(api.guard(Access.USER)).handler(api.validate("progress"))
        .handler(call(200, ctx -> education.progress(who(ctx), ctx.pathParam("studentId"))));
    r.post("/api/assessments/:id/attempts").handler(api.guard(Access.USER)).handler(api.validate("attempt"))
        .handler(api.idempotent())
        .handler(call(201, ctx -> education.attempt(who(ctx), ctx.pathParam("id"), body(ctx))));
    r.get("/api/me/credentials").handler(api.guard(Access.USER))
        .handler(call(200, ctx -> education.credentials(who(ctx))));
    r.post("/api/courses/:id/assessments").handler(api.guard(Access.USER)).handler(api.validate("addAssessment"))
        .handler(api.idempotent())
        .handler(call(201, ctx -> education.addAssessment(who(ctx), ctx.pathParam("id"), body(ctx))));
  }
}
