-- Marketplace (database azora_forge): jobs, the verified-skills read model built from education's
-- course.completed events (never from education's database), and applications.

CREATE TABLE jobs (
  id          UUID        PRIMARY KEY,
  employer_id UUID        NOT NULL,
  title       TEXT        NOT NULL,
  description TEXT        NOT NULL,
  budget      BIGINT      NOT NULL CHECK (budget > 0),          -- minor units (1e-8 AZR)
  skills      TEXT[]      NOT NULL,                             -- normalised skill names
  category    TEXT        NOT NULL,
  deadline    TIMESTAMPTZ NOT NULL,
  milestones  JSONB       NOT NULL,                             -- [{id, title, amount (minor units)}], summing to budget
  status      TEXT        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'filled')),
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  search      TSVECTOR    GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A')
                                               || setweight(to_tsvector('english', description), 'B')) STORED
);
CREATE INDEX jobs_search ON jobs USING gin (search);
CREATE INDEX jobs_skills ON jobs USING gin (skills);
CREATE INDEX jobs_open ON jobs (created_at DESC, id DESC) WHERE status = 'open';
CREATE INDEX jobs_by_employer ON jobs (employer_id);

-- One row per verified credential's skill: who can do what, at which level, since when.
CREATE TABLE verified_skills (
  user_id      UUID        NOT NULL,
  skill        TEXT        NOT NULL,
  course_id    UUID        NOT NULL,                            -- the credential: this course, completed
  level        TEXT        NOT NULL,
  completed_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (user_id, skill, course_id)
);
CREATE INDEX verified_skills_by_skill ON verified_skills (skill, user_id);

CREATE TABLE applications (
  id            UUID        PRIMARY KEY,
  job_id        UUID        NOT NULL REFERENCES jobs,
  freelancer_id UUID        NOT NULL,
  proposal      TEXT        NOT NULL,
  bid           BIGINT      NOT NULL CHECK (bid > 0),
  status        TEXT        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected', 'withdrawn')),
  match_score   NUMERIC(5, 1) NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (job_id, freelancer_id)
);
CREATE INDEX applications_by_job ON applications (job_id, created_at DESC, id DESC);
CREATE INDEX applications_by_freelancer ON applications (freelancer_id, created_at DESC, id DESC);
