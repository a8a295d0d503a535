-- Contracts: an accepted application, its milestones held in escrow by finance. A contract is written
-- 'funding' before finance is asked, so that an answer lost to a crash or a timeout is found again and
-- settled exactly once (finance's escrow calls are idempotent by contract and milestone).
CREATE TABLE contracts (
  id             UUID        PRIMARY KEY,
  job_id         UUID        NOT NULL UNIQUE REFERENCES jobs,
  application_id UUID        NOT NULL UNIQUE REFERENCES applications,
  employer_id    UUID        NOT NULL,
  freelancer_id  UUID        NOT NULL,
  status         TEXT        NOT NULL CHECK (status IN ('funding', 'active', 'completed', 'cancelled', 'disputed')),
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX contracts_funding ON contracts (updated_at) WHERE status = 'funding';
CREATE INDEX contracts_by_employer ON contracts (employer_id);
CREATE INDEX contracts_by_freelancer ON contracts (freelancer_id);

CREATE TABLE contract_milestones (
  contract_id  UUID        NOT NULL REFERENCES contracts ON DELETE CASCADE,
  id           TEXT        NOT NULL,
  position     INT         NOT NULL,
  title        TEXT        NOT NULL,
  amount       BIGINT      NOT NULL CHECK (amount > 0),
  status       TEXT        NOT NULL CHECK (status IN ('pending', 'funded', 'submitted', 'changes_requested',
                                                      'releasing', 'released', 'refunded')),
  submitted_at TIMESTAMPTZ,
  released_at  TIMESTAMPTZ,
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (contract_id, id)
);
CREATE INDEX contract_milestones_releasing ON contract_milestones (updated_at) WHERE status = 'releasing';
