package io.azora.marketplace;

import io.azora.platform.EventType;

import java.util.List;

/** The events the marketplace produces (docs/ARCHITECTURE.md lists who consumes them). */
public final class MarketplaceEvents {

  public static final String SOURCE = "marketplace";

  public static final EventType JOB_POSTED = EventType.of(SOURCE, "job.posted", 1,
      "An employer posted a job (open until its deadline or until closed)",
      "jobId", "employerId", "title", "budget", "skills", "category", "deadline");
  public static final EventType JOB_APPLIED = EventType.of(SOURCE, "job.applied", 1,
      "A freelancer applied to a job; its employer is told",
      "applicationId", "jobId", "employerId", "freelancerId", "bidAmount", "matchScore", "title");

  public static final EventType CONTRACT_FUNDED = EventType.of(SOURCE, "contract.funded", 1,
      "An employer accepted an application: the contract is active, every milestone held in escrow",
      "contractId", "jobId", "employerId", "freelancerId", "amount");
  public static final EventType MILESTONE_RELEASED = EventType.of(SOURCE, "milestone.released", 1,
      "A milestone's escrow was paid to the freelancer, less the platform fee",
      "contractId", "milestoneId", "employerId", "freelancerId", "amount", "fee");

  public static final EventType CONTRACT_DISPUTED = EventType.of(SOURCE, "contract.disputed", 1,
      "A party disputed a contract: nothing moves until an admin resolves it",
      "contractId", "employerId", "freelancerId", "disputedBy", "reason");
  public static final EventType CONTRACT_RESOLVED = EventType.of(SOURCE, "contract.resolved", 1,
      "An admin resolved a disputed contract: of what was held, freelancerShare percent went to the freelancer",
      "contractId", "employerId", "freelancerId", "freelancerShare");
  public static final EventType REVIEW_POSTED = EventType.of(SOURCE, "review.posted", 1,
      "A party of a finished contract reviewed the other (1 to 5)",
      "contractId", "reviewerId", "revieweeId", "rating");

  public static final List<EventType> ALL = List.of(JOB_POSTED, JOB_APPLIED, CONTRACT_FUNDED, MILESTONE_RELEASED,
      CONTRACT_DISPUTED, CONTRACT_RESOLVED, REVIEW_POSTED);

  private MarketplaceEvents() {
  }
}
