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

  public static final List<EventType> ALL = List.of(JOB_POSTED, JOB_APPLIED);

  private MarketplaceEvents() {
  }
}
