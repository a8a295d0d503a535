package io.azora.marketplace;

/**
 * How well a person's verified skills fit a job, 0 to 100 — the one formula behind a job's ranked candidates
 * and a person's ranked jobs, computed in SQL from the indexes (see {@link #SCORE}):
 *
 * <pre>
 *   score = 100 × Σ over the job's skills the person holds of  level(s) × recency(s)  ÷  the job's skill count
 *   level:   beginner 0.6, intermediate 0.8, advanced 0.9, expert 1.0  (of the best credential for the skill)
 *   recency: 1.0 for a credential under a year old, then −0.25 a year, never below 0.5
 *   × reviews: 0.8 + 0.04 × the person's average rating (1 to 5: 0.84 to 1.0), or 0.9 with no reviews yet
 * </pre>
 *
 * Coverage counts most (a skill not held adds nothing); a higher level, a fresher credential or better
 * reviews lift it.
 */
final class Matching {

  /**
   * Per held skill (a row of verified_skills as {@code v}): its weight, the best of its credentials. The
   * score is {@code 100 * sum(weight) / cardinality(job skills)}.
   */
  static final String WEIGHT = """
      max((CASE v.level WHEN 'expert' THEN 1.0 WHEN 'advanced' THEN 0.9 WHEN 'intermediate' THEN 0.8 ELSE 0.6 END)
          * greatest(0.5, 1.0 - 0.25 * greatest(0, extract(epoch FROM now() - v.completed_at) / 31557600 - 1)))""";

  /** The reviews factor of the user whose id is the SQL expression {@code user}. */
  static String reviews(String user) {
    return "coalesce((SELECT 0.8 + 0.04 * avg(r.rating) FROM reviews r WHERE r.reviewee_id = " + user + "), 0.9)";
  }

  /** Candidates listed for a job, at most. */
  static final int MAX_CANDIDATES = 50;
  /** Jobs listed for a person, at most. */
  static final int MAX_JOBS = 50;

  private Matching() {
  }
}
