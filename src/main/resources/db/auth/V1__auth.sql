-- Auth owns users, sessions, refresh tokens, signing keys and MFA state. Nobody else reads these tables.

CREATE TABLE users (
  id            UUID PRIMARY KEY,
  email         TEXT        NOT NULL UNIQUE CHECK (email = lower(email)),
  name          TEXT        NOT NULL,
  password_hash TEXT,                               -- argon2id (PHC string); null for Google-only accounts
  google_sub    TEXT        UNIQUE,
  roles         TEXT[]      NOT NULL DEFAULT '{student}',
  mfa_secret    TEXT,                               -- base32 TOTP secret, set up but maybe not enabled
  mfa_enabled   BOOLEAN     NOT NULL DEFAULT false,
  mfa_last_step BIGINT      NOT NULL DEFAULT 0,     -- last TOTP time step accepted: each code works once
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id           UUID PRIMARY KEY,
  user_id      UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_used_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at   TIMESTAMPTZ NOT NULL,
  revoked_at   TIMESTAMPTZ,
  user_agent   TEXT,
  ip           TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id, created_at DESC);

-- Refresh tokens are stored only as SHA-256 hashes; a spent one presented again revokes its session.
CREATE TABLE refresh_tokens (
  token_hash BYTEA PRIMARY KEY,
  session_id UUID        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  spent_at   TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

-- ES256 signing keys; retired keys stay published in the JWKS until their last tokens expire.
CREATE TABLE signing_keys (
  kid         TEXT PRIMARY KEY,
  alg         TEXT        NOT NULL,
  private_jwk JSONB       NOT NULL,
  public_jwk  JSONB       NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  retired_at  TIMESTAMPTZ
);

CREATE TABLE recovery_codes (
  user_id   UUID  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash BYTEA NOT NULL,
  used_at   TIMESTAMPTZ,
  PRIMARY KEY (user_id, code_hash)
);

-- The second step of an MFA login: an opaque token (hashed) handed out after the password was right.
CREATE TABLE mfa_challenges (
  token_hash BYTEA PRIMARY KEY,
  user_id    UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at TIMESTAMPTZ NOT NULL,
  attempts   INT         NOT NULL DEFAULT 0,
  used_at    TIMESTAMPTZ
);

-- Per-account login back-off: bounded, so an attacker can slow a user down but never lock them out for good.
CREATE TABLE login_throttle (
  subject       TEXT PRIMARY KEY,
  failures      INT         NOT NULL,
  last_failure  TIMESTAMPTZ NOT NULL,
  blocked_until TIMESTAMPTZ NOT NULL
);

-- Google sign-in flows in progress: state, nonce and PKCE verifier bound together, usable once.
CREATE TABLE oauth_flows (
  state         TEXT PRIMARY KEY,
  nonce         TEXT        NOT NULL,
  code_verifier TEXT        NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  used_at       TIMESTAMPTZ
);
