package io.azora.marketplace;

import io.azora.platform.Caller;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What the gateway asks of the marketplace on the event bus (API.md's Marketplace section). Amounts arrive
 * as the client wrote them (decimal strings) and leave as decimal strings; failures are ServiceExceptions
 * whose code is the HTTP status.
 */
@ProxyGen
@VertxGen
public interface MarketplaceService {

  String ADDRESS = "azora.marketplace";

  static MarketplaceService createProxy(Vertx vertx, DeliveryOptions options) {
    return new MarketplaceServiceVertxEBProxy(vertx, ADDRESS, options);
  }

  /** Open jobs: {@code {q?, category?, skills? (comma list), skillsMatch? any|all, minBudget?, maxBudget?, limit, cursor?}}. */
  Future<JsonObject> listJobs(JsonObject query);

  /** An employer posts a job (201). */
  Future<JsonObject> postJob(Caller caller, JsonObject request);

  Future<JsonObject> job(String jobId);

  /** Its employer changes an open job (the fields given). */
  Future<JsonObject> updateJob(Caller caller, String jobId, JsonObject changes);

  /** Its employer closes an open job. */
  Future<JsonObject> closeJob(Caller caller, String jobId);

  /** A job's best candidates, for its employer: {@code [{userId, score, matchedSkills}]}. */
  Future<JsonArray> jobMatches(Caller caller, String jobId);

  /** Open jobs ranked by the caller's verified skills: {@code [{job, score, matchedSkills}]}. */
  Future<JsonArray> myJobMatches(Caller caller);

  /** Applies to a job once: {@code {proposal, bidAmount}} (201; 409 the second time). */
  Future<JsonObject> apply(Caller caller, String jobId, JsonObject request);

  /** A job's applications, for its employer. */
  Future<JsonObject> jobApplications(Caller caller, String jobId, int limit, String cursor);

  /** The caller's applications. */
  Future<JsonObject> myApplications(Caller caller, int limit, String cursor);

  /** The caller withdraws a pending application of theirs. */
  Future<JsonObject> withdrawApplication(Caller caller, String applicationId);

  /** The employer accepts an application: the contract, every milestone funded in escrow (201; 402 if short). */
  Future<JsonObject> acceptApplication(Caller caller, String applicationId);

  /** A contract, for its parties. */
  Future<JsonObject> contract(Caller caller, String contractId);

  /** The freelancer submits a milestone. */
  Future<JsonObject> submitMilestone(Caller caller, String contractId, String milestoneId);

  /** The employer asks for changes to a submitted milestone. */
  Future<JsonObject> requestChanges(Caller caller, String contractId, String milestoneId);

  /** The employer approves a submitted milestone: released to the freelancer, less the platform fee. */
  Future<JsonObject> approveMilestone(Caller caller, String contractId, String milestoneId);

  /** Either party cancels: funded milestones not yet submitted go back to the employer. */
  Future<JsonObject> cancelContract(Caller caller, String contractId);

  /** Either party disputes: {@code {reason}}; nothing moves until an admin resolves it. */
  Future<JsonObject> disputeContract(Caller caller, String contractId, JsonObject request);

  /** An admin resolves a dispute: {@code {freelancerShare: 0-100}} of what is held. */
  Future<JsonObject> resolveDispute(Caller caller, String contractId, JsonObject request);

  /** A party reviews the other once per finished contract: {@code {rating: 1-5, comment}}. */
  Future<JsonObject> postReview(Caller caller, String contractId, JsonObject request);

  /** The reviewer edits their review within 7 days. */
  Future<JsonObject> editReview(Caller caller, String contractId, JsonObject request);

  /** A user's reviews and their average. */
  Future<JsonObject> userReviews(String userId, int limit, String cursor);
}
