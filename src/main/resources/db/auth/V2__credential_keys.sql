-- Keys that signed a verifiable credential stay in the public JWKS after retirement: credentials do not
-- expire, and anyone must be able to check them for as long as they are shown.
ALTER TABLE signing_keys ADD COLUMN signed_credentials BOOLEAN NOT NULL DEFAULT false;
