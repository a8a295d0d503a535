-- What the last successful start migrated this database with: a fingerprint (SHA-256) of every migration
-- file it ran from. A node starting with the same files finds it here and skips Flyway, which took most of
-- a restarted node's time to ready (issue 13); any change to the files runs Flyway as before.
CREATE TABLE azora_migrated (
  locations   TEXT        PRIMARY KEY,
  fingerprint TEXT        NOT NULL,
  migrated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
