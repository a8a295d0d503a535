-- Marketplace escrow: one hold (a pending transfer from the employer's wallet to the contract's escrow
-- account) per milestone; released, refunded or split at most once (the ledger's resolved-once rule).
CREATE TABLE escrow_holds (
  hold_id      UUID        PRIMARY KEY REFERENCES transfers,
  contract_id  UUID        NOT NULL,
  milestone_id TEXT        NOT NULL,
  employer_id  UUID        NOT NULL,
  amount       BIGINT      NOT NULL CHECK (amount > 0),
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (contract_id, milestone_id)
);
