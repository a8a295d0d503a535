-- Proof-of-Knowledge mining and staking.

-- Activities education has verified (from Nexus events): one per learner and activity.
CREATE TABLE verified_activities (
  user_id       UUID        NOT NULL,
  activity_type TEXT        NOT NULL CHECK (activity_type IN ('assessment_passed', 'course_completion')),
  activity_id   TEXT        NOT NULL,
  difficulty    TEXT        NOT NULL,
  score         NUMERIC(7, 4),                   -- 0..100; NULL for course completions
  event_id      UUID        NOT NULL,
  verified_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, activity_type, activity_id)
);

-- One reward per verified activity (0 when the daily or supply cap left nothing).
CREATE TABLE mining_rewards (
  id            UUID        PRIMARY KEY,         -- also the id of its ledger transfer when tokens > 0
  user_id       UUID        NOT NULL,
  activity_type TEXT        NOT NULL,
  activity_id   TEXT        NOT NULL,
  tokens        BIGINT      NOT NULL CHECK (tokens >= 0),
  epoch         INT         NOT NULL,
  mined_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (user_id, activity_type, activity_id)
);
CREATE INDEX mining_rewards_by_user_time ON mining_rewards (user_id, mined_at);

-- The single row every mint locks: reward count (for epochs) and AZR mined, and the serialisation
-- point that keeps concurrent mints inside the supply cap.
CREATE TABLE mining_state (
  id       BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
  rewards  BIGINT  NOT NULL DEFAULT 0,
  mined    BIGINT  NOT NULL DEFAULT 0
);
INSERT INTO mining_state DEFAULT VALUES;

CREATE TABLE stakes (
  id           UUID        PRIMARY KEY,
  user_id      UUID        NOT NULL,
  amount       BIGINT      NOT NULL CHECK (amount > 0),
  days         INT         NOT NULL CHECK (days IN (30, 90, 365)),
  rate         NUMERIC(9, 6) NOT NULL,           -- a year, as a fraction (0.05 = 5 %)
  status       TEXT        NOT NULL CHECK (status IN ('active', 'withdrawn')),
  start_at     TIMESTAMPTZ NOT NULL,
  unlock_at    TIMESTAMPTZ NOT NULL,
  withdrawn_at TIMESTAMPTZ,
  reward       BIGINT      CHECK (reward >= 0)
);
CREATE INDEX stakes_by_user ON stakes (user_id, start_at);
