-- Nexus: the transactional outbox (events this domain produces) and inbox (events it has consumed).
-- Shared by every domain database; versioned in its own history table (nexus_schema_history).

CREATE TABLE nexus_outbox (
  seq          BIGSERIAL PRIMARY KEY,            -- insertion order
  id           UUID        NOT NULL UNIQUE,      -- the event id consumers de-duplicate by
  type         TEXT        NOT NULL,
  envelope     JSONB       NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  position     BIGINT      UNIQUE,               -- feed order, assigned by the single relay when published
  published_at TIMESTAMPTZ
);
CREATE INDEX nexus_outbox_unpublished ON nexus_outbox (seq) WHERE position IS NULL;

-- Events consumed: one row per (consumer, event id) makes handling idempotent.
CREATE TABLE nexus_inbox (
  consumer    TEXT        NOT NULL,
  event_id    UUID        NOT NULL,
  type        TEXT        NOT NULL,
  handled_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);

-- How far each consumer has read each producer's feed.
CREATE TABLE nexus_cursor (
  consumer   TEXT   NOT NULL,
  source     TEXT   NOT NULL,
  position   BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (consumer, source)
);
