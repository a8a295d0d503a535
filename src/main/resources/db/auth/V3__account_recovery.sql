-- Account recovery and hardening: verified emails, single-use mail tokens, trusted devices for login
-- back-off, Google flows bound to the browser that started them, durable revocations, TOTP secrets
-- encrypted at rest.

ALTER TABLE users
  ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN mfa_key_id     TEXT;                       -- the key that encrypted mfa_secret; NULL: plain (legacy)

-- Single-use tokens sent by mail (verification, password reset): only their SHA-256 is kept.
CREATE TABLE email_tokens (
  token_hash BYTEA       PRIMARY KEY,
  user_id    UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose    TEXT        NOT NULL CHECK (purpose IN ('verify', 'reset')),
  email      TEXT        NOT NULL,                      -- the address it was sent to (an email change voids it)
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL,
  used_at    TIMESTAMPTZ
);
CREATE INDEX email_tokens_by_user ON email_tokens (user_id, purpose, created_at DESC);

-- Browsers that signed in to an account: their failed logins count apart from everyone else's, so a
-- stranger's guessing never locks the owner's own device out.
CREATE TABLE trusted_devices (
  token_hash   BYTEA       PRIMARY KEY,
  user_id      UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_used_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX trusted_devices_by_user ON trusted_devices (user_id);

ALTER TABLE oauth_flows ADD COLUMN browser_hash BYTEA;  -- SHA-256 of the cookie of the browser that started it

-- A revoked session's deny-list entry is written to Redis when it can be: until then (Redis down) it is
-- pending here and re-applied, and all recent ones are re-applied if Redis lost them.
ALTER TABLE sessions ADD COLUMN deny_applied_at TIMESTAMPTZ;
CREATE INDEX sessions_recently_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- The key that encrypts TOTP secrets when none is configured (zero-config default only; configure
-- auth.totpKeys in production so that the database alone cannot decrypt them).
CREATE TABLE secret_keys (
  kid        TEXT        PRIMARY KEY,
  key        BYTEA       NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Accounts that existed before verification: an admin created at start, or Google-created accounts,
-- were verified; others verify from now on.
UPDATE users SET email_verified = true WHERE google_sub IS NOT NULL OR 'admin' = ANY (roles);
