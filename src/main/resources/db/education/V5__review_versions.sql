-- An admin verifies the assessments they reviewed: every new assessment increments the course's version,
-- and a verification naming an older version is refused.
ALTER TABLE courses ADD COLUMN assessments_version INT NOT NULL DEFAULT 0;
