-- Contracts: an accepted application, its milestones held in escrow by finance. A contract is written
-- 'funding' before finance is asked, so that an answer lost to a crash or a timeout is found again and
-- settled exactly once (finance's escrow calls are idempotent by contract and milestone).
CREATE TABLE contracts (
  id             UUID        PRIMARY KEY,
  job_id         UUID        NOT NULL UNIQUE REFERENCES jobs,
  application_id UUID        NOT NULL UNIQUE REFERENCES applications,
  employer_id    UUID        NOT NULL,
  freelancer_id  UUID        NOT NULL,
  status         TEXT        NOT NULL CHECK (status IN ('funding', 'active', 'completed', 'cancelled', 'disputed',
                                                          'resolving', 'resolved')),
  disputed_by    UUID,
  dispute_reason TEXT,
  freelancer_share INT       CHECK (freelancer_share BETWEEN 0 AND 100),
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX contracts_funding ON contracts (updated_at) WHERE status IN ('funding', 'resolving');
CREATE INDEX contracts_by_employer ON contracts (employer_id);
CREATE INDEX contracts_by_freelancer ON contracts (freelancer_id);

CREATE TABLE contract_milestones (
  contract_id  UUID        NOT NULL REFERENCES contracts ON DELETE CASCADE,
  id           TEXT        NOT NULL,
  position     INT         NOT NULL,
  title        TEXT        NOT NULL,
  amount       BIGINT      NOT NULL CHECK (amount > 0),
  status       TEXT        NOT NULL CHECK (status IN ('pending', 'funded', 'submitted', 'changes_requested',
                                                      'releasing', 'released', 'refunding', 'refunded', 'split')),
  submitted_at TIMESTAMPTZ,
  released_at  TIMESTAMPTZ,
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (contract_id, id)
);
CREATE INDEX contract_milestones_releasing ON contract_milestones (updated_at) WHERE status IN ('releasing', 'refunding');

-- Each party reviews the other once per completed, cancelled or resolved contract; editable for 7 days.
CREATE TABLE reviews (
  contract_id UUID        NOT NULL REFERENCES contracts,
  reviewer_id UUID        NOT NULL,
  reviewee_id UUID        NOT NULL,
  rating      INT         NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comment     TEXT        NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (contract_id, reviewer_id)
);
CREATE INDEX reviews_by_reviewee ON reviews (reviewee_id, created_at DESC, contract_id);
