package io.azora.gateway;

import io.azora.gateway.Api.Access;
import io.azora.marketplace.MarketplaceService;
import io.azora.platform.SharedRedis;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import static io.azora.gateway.Api.caller;

/** API.md's Marketplace section: HTTP in, MarketplaceService calls on the bus, HTTP out. No domain logic here. */
final class MarketplaceRoutes implements DomainRoutes {

  private static final List<String> LIST_PARAMS = List.of("q", "category", "skills", "skillsMatch", "minBudget",
      "maxBudget", "limit", "cursor");

  private static final long NEAR_CACHE_BYTES = 16L << 20;

  private final Api api;
  private final MarketplaceService marketplace;
  private final boolean cacheOn;
  private final String cacheVersionKey;
  private final String cacheEntryPrefix;
  /** This verticle's copies of job-list pages (see {@link NearCache}). */
  private final NearCache near;

  MarketplaceRoutes(Api api) {
    this.api = api;
    this.marketplace = MarketplaceService.createProxy(api.vertx(), api.delivery());
    int cacheSeconds = SharedRedis.Jobs.ttlSeconds(api.rawConfig());
    this.cacheOn = cacheSeconds > 0;
    this.near = new NearCache(NEAR_CACHE_BYTES, Duration.ofSeconds(Math.max(1, cacheSeconds)));
    this.cacheVersionKey = SharedRedis.Jobs.versionKey(api.config().redis().keyPrefix());
    this.cacheEntryPrefix = SharedRedis.Jobs.entryPrefix(api.config().redis().keyPrefix());
  }

  /**
   * The open-job list, answered from the shared cache in the rate limiter's round trip when it has the page
   * (no trip to the marketplace); otherwise the marketplace reads it and fills the cache. Concurrent misses of
   * one page share one call.
   */
  private void mountJobList(Router r) {
    r.get("/api/jobs")
        .handler(api.guard(Access.PUBLIC, ctx -> cacheOn
            ? near.probe(cacheVersionKey, cacheEntryPrefix, SharedRedis.Jobs.listEntry(listQuery(ctx))) : null))
        .handler(api.validate("listJobs"))
        .handler(call(200, ctx -> near.afterMiss(ctx, () -> marketplace.listJobs(listQuery(ctx)))));
  }

  private <T> Handler<RoutingContext> call(int status, Function<RoutingContext, Future<T>> call) {
    return api.respond(status, "marketplace", call);
  }

  /** The list's parameters as sent (also the cache entry's name, probed before validation: nothing parsed here). */
  private static JsonObject listQuery(RoutingContext ctx) {
    return Api.queryOf(ctx, LIST_PARAMS);
  }

  private static JsonObject job(RoutingContext ctx) {
    return ExactAmounts.body(ctx, "budget", "milestones[].amount");
  }

  @Override
  public void mount(Router r) {
    mountJobList(r);
    r.post("/api/jobs").handler(api.guard(Access.USER)).handler(api.validate("postJob")).handler(api.idempotent())
        .handler(call(201, ctx -> marketplace.postJob(caller(ctx), job(ctx))));
    r.get("/api/jobs/:id").handler(api.guard(Access.PUBLIC)).handler(api.validate("job"))
        .handler(call(200, ctx -> marketplace.job(ctx.pathParam("id"))));
    r.patch("/api/jobs/:id").handler(api.guard(Access.USER)).handler(api.validate("updateJob"))
        .handler(call(200, ctx -> marketplace.updateJob(caller(ctx), ctx.pathParam("id"), job(ctx))));
    r.post("/api/jobs/:id/close").handler(api.guard(Access.USER)).handler(api.validate("closeJob"))
        .handler(call(200, ctx -> marketplace.closeJob(caller(ctx), ctx.pathParam("id"))));
    r.get("/api/jobs/:id/matches").handler(api.guard(Access.USER)).handler(api.validate("jobMatches"))
        .handler(call(200, ctx -> marketplace.jobMatches(caller(ctx), ctx.pathParam("id"))));
    // A person's ranked matches, answered from the shared cache when current (as the job lists).
    r.get("/api/me/job-matches")
        .handler(api.guard(Access.USER, ctx -> cacheOn
            ? near.probe(cacheVersionKey, cacheEntryPrefix, SharedRedis.Jobs.matchesEntry(caller(ctx).userId())) : null))
        .handler(call(200, ctx -> near.afterMiss(ctx, () -> marketplace.myJobMatches(caller(ctx)))));
    r.post("/api/jobs/:id/apply").handler(api.guard(Access.USER)).handler(api.validate("applyToJob"))
        .handler(api.idempotent())
        .handler(call(201, ctx -> marketplace.apply(caller(ctx), ctx.pathParam("id"), ExactAmounts.body(ctx, "bidAmount"))));
    r.get("/api/jobs/:id/applications").handler(api.guard(Access.USER)).handler(api.validate("jobApplications"))
        .handler(call(200, ctx -> marketplace.jobApplications(caller(ctx), ctx.pathParam("id"), Api.limit(ctx),
            ctx.queryParams().get("cursor"))));
    r.get("/api/me/applications").handler(api.guard(Access.USER)).handler(api.validate("myApplications"))
        .handler(call(200, ctx -> marketplace.myApplications(caller(ctx), Api.limit(ctx), ctx.queryParams().get("cursor"))));
    r.post("/api/applications/:id/withdraw").handler(api.guard(Access.USER)).handler(api.validate("withdrawApplication"))
        .handler(call(200, ctx -> marketplace.withdrawApplication(caller(ctx), ctx.pathParam("id"))));
    r.post("/api/applications/:id/accept").handler(api.guard(Access.USER)).handler(api.validate("acceptApplication"))
        .handler(api.idempotent())
        .handler(call(201, ctx -> marketplace.acceptApplication(caller(ctx), ctx.pathParam("id"))));
    r.get("/api/contracts/:id").handler(api.guard(Access.USER)).handler(api.validate("contract"))
        .handler(call(200, ctx -> marketplace.contract(caller(ctx), ctx.pathParam("id"))));
    r.post("/api/contracts/:id/milestones/:mid/submit").handler(api.guard(Access.USER)).handler(api.validate("submitMilestone"))
        .handler(call(200, ctx -> marketplace.submitMilestone(caller(ctx), ctx.pathParam("id"), ctx.pathParam("mid"))));
    r.post("/api/contracts/:id/milestones/:mid/request-changes").handler(api.guard(Access.USER))
        .handler(api.validate("requestMilestoneChanges"))
        .handler(call(200, ctx -> marketplace.requestChanges(caller(ctx), ctx.pathParam("id"), ctx.pathParam("mid"))));
    r.post("/api/contracts/:id/milestones/:mid/approve").handler(api.guard(Access.USER)).handler(api.validate("approveMilestone"))
        .handler(api.idempotent())
        .handler(call(200, ctx -> marketplace.approveMilestone(caller(ctx), ctx.pathParam("id"), ctx.pathParam("mid"))));
    r.post("/api/contracts/:id/cancel").handler(api.guard(Access.USER)).handler(api.validate("cancelContract"))
        .handler(api.idempotent())
        .handler(call(200, ctx -> marketplace.cancelContract(caller(ctx), ctx.pathParam("id"))));
    r.post("/api/contracts/:id/dispute").handler(api.guard(Access.USER)).handler(api.validate("disputeContract"))
        .handler(api.idempotent())
        .handler(call(200, ctx -> marketplace.disputeContract(caller(ctx), ctx.pathParam("id"), Api.body(ctx))));
    r.post("/api/admin/disputes/:contractId/resolve").handler(api.guard(Access.ADMIN)).handler(api.validate("resolveDispute"))
        .handler(api.idempotent())
        .handler(call(200, ctx -> marketplace.resolveDispute(caller(ctx), ctx.pathParam("contractId"), Api.body(ctx))));
    r.post("/api/contracts/:id/reviews").handler(api.guard(Access.USER)).handler(api.validate("postReview"))
        .handler(api.idempotent())
        .handler(call(201, ctx -> marketplace.postReview(caller(ctx), ctx.pathParam("id"), Api.body(ctx))));
    r.patch("/api/contracts/:id/reviews").handler(api.guard(Access.USER)).handler(api.validate("editReview"))
        .handler(call(200, ctx -> marketplace.editReview(caller(ctx), ctx.pathParam("id"), Api.body(ctx))));
    r.get("/api/users/:id/reviews").handler(api.guard(Access.PUBLIC)).handler(api.validate("userReviews"))
        .handler(call(200, ctx -> marketplace.userReviews(ctx.pathParam("id"), Api.limit(ctx), ctx.queryParams().get("cursor"))));
  }
}
