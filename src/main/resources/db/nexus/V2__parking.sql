-- Poison events: an event whose handling keeps failing is retried with back-off, then parked (kept with
-- its error) so that the events after it are handled; operators list and retry parked events.

CREATE TABLE nexus_failures (
  consumer        TEXT        NOT NULL,
  event_id        UUID        NOT NULL,
  attempts        INT         NOT NULL,
  last_error      TEXT        NOT NULL,
  next_attempt_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (consumer, event_id)
);

CREATE TABLE nexus_parked (
  id         UUID        PRIMARY KEY,
  consumer   TEXT        NOT NULL,
  source     TEXT        NOT NULL,
  event_id   UUID        NOT NULL,
  type       TEXT        NOT NULL,
  envelope   JSONB       NOT NULL,
  attempts   INT         NOT NULL,
  last_error TEXT        NOT NULL,
  parked_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (consumer, event_id)
);
