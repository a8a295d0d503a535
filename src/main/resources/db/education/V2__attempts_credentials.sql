-- Assessment attempts, first passes (with the Proof-of-Knowledge reward finance reports back), and the
-- credentials issued for completed courses.

CREATE TABLE attempts (
  id            UUID        PRIMARY KEY,
  assessment_id UUID        NOT NULL REFERENCES assessments ON DELETE CASCADE,
  student_id    UUID        NOT NULL,
  answers       JSONB       NOT NULL,
  score         INT         NOT NULL CHECK (score BETWEEN 0 AND 100),
  passed        BOOLEAN     NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX attempts_by_student ON attempts (student_id, assessment_id);

CREATE TABLE passes (
  student_id    UUID        NOT NULL,
  assessment_id UUID        NOT NULL REFERENCES assessments ON DELETE CASCADE,
  course_id     UUID        NOT NULL,
  attempt_id    UUID        NOT NULL,
  score         INT         NOT NULL,
  reward        BIGINT,                                   -- AZR minor units mined; NULL until finance reports it
  passed_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (student_id, assessment_id)
);
CREATE INDEX passes_by_course ON passes (student_id, course_id);

CREATE TABLE credentials (
  id         UUID        PRIMARY KEY,
  student_id UUID        NOT NULL,
  course_id  UUID        NOT NULL REFERENCES courses,
  skills     TEXT[]      NOT NULL,
  jwt        TEXT        NOT NULL,
  issued_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (student_id, course_id)
);
