-- Proof-of-Knowledge integrity: only courses an admin reviewed earn AZR, at the level the admin set, and
-- attempts are limited per learner and assessment.

ALTER TABLE courses
  ADD COLUMN rewards_verified BOOLEAN     NOT NULL DEFAULT false,
  ADD COLUMN reward_level     TEXT        CHECK (reward_level IN ('beginner', 'intermediate', 'advanced', 'expert')),
  ADD COLUMN verified_at      TIMESTAMPTZ,
  ADD COLUMN verified_by      UUID;

-- The times of a learner's recent attempts at an assessment (within the window, at most the limit): the row
-- every attempt updates first, so concurrent attempts queue on its lock and the limit holds exactly.
CREATE TABLE attempt_quota (
  student_id    UUID          NOT NULL,
  assessment_id UUID          NOT NULL REFERENCES assessments ON DELETE CASCADE,
  recent        TIMESTAMPTZ[] NOT NULL,
  PRIMARY KEY (student_id, assessment_id)
);
