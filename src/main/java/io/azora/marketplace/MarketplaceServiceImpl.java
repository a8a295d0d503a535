package io.azora.marketplace;

import io.azora.platform.Caller;
import io.azora.platform.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/** MarketplaceService on the bus: who may ask, then the part that answers. */
final class MarketplaceServiceImpl implements MarketplaceService {

  private final Jobs jobs;
  private final Applications applications;
  private final Matches matches;
  private final Contracts contracts;
  private final Reviews reviews;

  MarketplaceServiceImpl(Jobs jobs, Applications applications, Matches matches, Contracts contracts, Reviews reviews) {
    this.reviews = reviews;
    this.jobs = jobs;
    this.applications = applications;
    this.matches = matches;
    this.contracts = contracts;
  }

  private static <T> Future<T> signedIn(Caller caller, Supplier<Future<T>> call) {
    return caller == null || caller.anonymous() ? Problems.fail(Problems.unauthorized("Sign in first")) : call.get();
  }

  @Override
  public Future<JsonObject> listJobs(JsonObject query) {
    return jobs.list(query == null ? new JsonObject() : query);
  }

  @Override
  public Future<JsonObject> postJob(Caller caller, JsonObject request) {
    return signedIn(caller, () -> jobs.post(caller, request));
  }

  @Override
  public Future<JsonObject> job(String jobId) {
    return jobs.get(jobId);
  }

  @Override
  public Future<JsonObject> updateJob(Caller caller, String jobId, JsonObject changes) {
    return signedIn(caller, () -> jobs.update(caller, jobId, changes));
  }

  @Override
  public Future<JsonObject> closeJob(Caller caller, String jobId) {
    return signedIn(caller, () -> jobs.close(caller, jobId));
  }

  @Override
  public Future<JsonArray> jobMatches(Caller caller, String jobId) {
    return signedIn(caller, () -> matches.candidates(caller, jobId));
  }

  @Override
  public Future<JsonArray> myJobMatches(Caller caller) {
    return signedIn(caller, () -> matches.jobsFor(caller));
  }

  @Override
  public Future<JsonObject> apply(Caller caller, String jobId, JsonObject request) {
    return signedIn(caller, () -> applications.apply(caller, jobId, request));
  }

  @Override
  public Future<JsonObject> jobApplications(Caller caller, String jobId, int limit, String cursor) {
    return signedIn(caller, () -> applications.forJob(caller, jobId, limit, cursor));
  }

  @Override
  public Future<JsonObject> myApplications(Caller caller, int limit, String cursor) {
    return signedIn(caller, () -> applications.mine(caller, limit, cursor));
  }

  @Override
  public Future<JsonObject> withdrawApplication(Caller caller, String applicationId) {
    return signedIn(caller, () -> applications.withdraw(caller, applicationId));
  }

  @Override
  public Future<JsonObject> acceptApplication(Caller caller, String applicationId) {
    return signedIn(caller, () -> contracts.accept(caller, applicationId));
  }

  @Override
  public Future<JsonObject> contract(Caller caller, String contractId) {
    return signedIn(caller, () -> contracts.get(caller, contractId));
  }

  @Override
  public Future<JsonObject> submitMilestone(Caller caller, String contractId, String milestoneId) {
    return signedIn(caller, () -> contracts.submit(caller, contractId, milestoneId));
  }

  @Override
  public Future<JsonObject> requestChanges(Caller caller, String contractId, String milestoneId) {
    return signedIn(caller, () -> contracts.requestChanges(caller, contractId, milestoneId));
  }

  @Override
  public Future<JsonObject> approveMilestone(Caller caller, String contractId, String milestoneId) {
    return signedIn(caller, () -> contracts.approve(caller, contractId, milestoneId));
  }

  @Override
  public Future<JsonObject> cancelContract(Caller caller, String contractId) {
    return signedIn(caller, () -> contracts.settlements.cancel(caller, contractId));
  }

  @Override
  public Future<JsonObject> disputeContract(Caller caller, String contractId, JsonObject request) {
    return signedIn(caller, () -> contracts.settlements.dispute(caller, contractId, request.getValue("reason") instanceof String r ? r : null));
  }

  @Override
  public Future<JsonObject> resolveDispute(Caller caller, String contractId, JsonObject request) {
    Object share = request.getValue("freelancerShare");
    return signedIn(caller, () -> share instanceof Integer s ? contracts.settlements.resolve(caller, contractId, s)
        : Problems.fail(Problems.invalid("freelancerShare", "a whole number from 0 to 100")));
  }

  @Override
  public Future<JsonObject> postReview(Caller caller, String contractId, JsonObject request) {
    return signedIn(caller, () -> reviews.post(caller, contractId, request));
  }

  @Override
  public Future<JsonObject> editReview(Caller caller, String contractId, JsonObject request) {
    return signedIn(caller, () -> reviews.edit(caller, contractId, request));
  }

  @Override
  public Future<JsonObject> userReviews(String userId, int limit, String cursor) {
    return reviews.of(userId, limit, cursor);
  }
}
