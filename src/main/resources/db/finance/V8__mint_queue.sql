-- Minting in batches (issue 13): a verified activity is recorded and queued in its event's inbox
-- transaction, which takes no lock; a minter takes the mint lock once for everything queued, so a burst
-- of first passes is one short transaction instead of a queue of them at the lock.
CREATE TABLE mint_queue (
  user_id       UUID        NOT NULL,
  activity_type TEXT        NOT NULL,
  activity_id   TEXT        NOT NULL,
  queued_at     TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (user_id, activity_type, activity_id),
  FOREIGN KEY (user_id, activity_type, activity_id) REFERENCES verified_activities
);
CREATE INDEX mint_queue_in_order ON mint_queue (queued_at);
