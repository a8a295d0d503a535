-- The AZR ledger (database azora_mint): double-entry after TigerBeetle's model.
-- Accounts hold running totals; transfers and entries are immutable; balances change only through
-- post_transfers(), which locks the accounts it touches in id order, refuses overdrafts, resolves each
-- pending transfer at most once, and extends every touched account's hash chain.
-- Amounts are integer minor units: 1 AZR = 100,000,000.

CREATE TABLE accounts (
  id          UUID PRIMARY KEY,
  kind        TEXT        NOT NULL CHECK (kind IN ('system', 'wallet', 'stake', 'escrow')),
  code        TEXT        UNIQUE,               -- system accounts: issuance, treasury, fees, stripe_clearing, staking_rewards
  owner_id    UUID,                             -- the user (wallet, stake) or the contract (escrow)
  min_balance BIGINT,                           -- lowest allowed balance - held; NULL: no floor (issuance is floored by the max supply)
  balance     BIGINT      NOT NULL DEFAULT 0,   -- posted credits - posted debits
  held        BIGINT      NOT NULL DEFAULT 0,   -- pending debits (holds)
  incoming    BIGINT      NOT NULL DEFAULT 0,   -- pending credits
  entries     BIGINT      NOT NULL DEFAULT 0,   -- length of this account's hash chain
  head        BYTEA,                            -- hash of its last entry
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT accounts_one_per_owner UNIQUE (kind, owner_id),
  -- The second wall behind post_transfers' own check: no account below its floor, ever.
  CONSTRAINT accounts_no_overdraft CHECK (min_balance IS NULL OR balance - held >= min_balance),
  CONSTRAINT accounts_pending_not_negative CHECK (held >= 0 AND incoming >= 0)
);

CREATE TABLE transfers (
  id             UUID PRIMARY KEY,             -- chosen by the caller: the idempotency id
  type           TEXT        NOT NULL CHECK (type IN ('genesis', 'reward', 'transfer', 'purchase', 'escrow', 'stake', 'fee')),
  phase          TEXT        NOT NULL CHECK (phase IN ('posted', 'pending', 'post_pending', 'void_pending')),
  debit_account  UUID        NOT NULL REFERENCES accounts,
  credit_account UUID        NOT NULL REFERENCES accounts,
  amount         BIGINT      NOT NULL CHECK (amount > 0),
  pending_id     UUID        REFERENCES transfers,
  reason         TEXT,
  initiator      UUID,                          -- the user who asked for it, when one did
  created_at     TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  CHECK (debit_account <> credit_account),
  CHECK ((phase IN ('post_pending', 'void_pending')) = (pending_id IS NOT NULL))
);
-- A pending transfer is posted or voided at most once.
CREATE UNIQUE INDEX transfers_resolved_once ON transfers (pending_id) WHERE pending_id IS NOT NULL;

-- One entry per account a transfer touches, numbered per account, each hashing the one before.
CREATE TABLE entries (
  account_id  UUID   NOT NULL REFERENCES accounts,
  seq         BIGINT NOT NULL,
  transfer_id UUID   NOT NULL REFERENCES transfers,
  balance     BIGINT NOT NULL,                  -- the account's totals after this entry
  held        BIGINT NOT NULL,
  incoming    BIGINT NOT NULL,
  hash        BYTEA  NOT NULL,
  PRIMARY KEY (account_id, seq),
  UNIQUE (transfer_id, account_id)
);

CREATE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are immutable (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'AZ500';
END $$;
CREATE TRIGGER transfers_immutable BEFORE UPDATE OR DELETE ON transfers FOR EACH ROW EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER entries_immutable BEFORE UPDATE OR DELETE ON entries FOR EACH ROW EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER transfers_no_truncate BEFORE TRUNCATE ON transfers FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable();

-- The text an entry's hash covers: the entry, its transfer, and the previous entry's hash.
-- LedgerVerifier recomputes it independently; keep the two identical.
CREATE FUNCTION ledger_entry_hash(p_account UUID, p_seq BIGINT, t transfers, p_balance BIGINT, p_held BIGINT,
                                  p_incoming BIGINT, p_prev BYTEA) RETURNS BYTEA
LANGUAGE sql IMMUTABLE AS $$
  SELECT sha256(convert_to(p_account::text || '|' || p_seq || '|' || t.id::text || '|' || t.type || '|' || t.phase
    || '|' || t.debit_account::text || '|' || t.credit_account::text || '|' || t.amount
    || '|' || coalesce(t.pending_id::text, '') || '|' || p_balance || '|' || p_held || '|' || p_incoming
    || '|' || coalesce(encode(p_prev, 'hex'), ''), 'UTF8'))
$$;

-- Appends one entry to an account's chain and sets its new totals (the caller holds the row lock).
CREATE FUNCTION ledger_append(p_account UUID, t transfers, d_balance BIGINT, d_held BIGINT, d_incoming BIGINT)
RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
  a accounts;
  h BYTEA;
BEGIN
  SELECT * INTO a FROM accounts WHERE id = p_account;
  a.balance := a.balance + d_balance;
  a.held := a.held + d_held;
  a.incoming := a.incoming + d_incoming;
  IF a.min_balance IS NOT NULL AND a.balance - a.held < a.min_balance AND (d_balance < 0 OR d_held > 0) THEN
    RAISE EXCEPTION 'insufficient funds in account %', p_account USING ERRCODE = 'AZ402', DETAIL = p_account::text;
  END IF;
  h := ledger_entry_hash(p_account, a.entries + 1, t, a.balance, a.held, a.incoming, a.head);
  INSERT INTO entries (account_id, seq, transfer_id, balance, held, incoming, hash)
  VALUES (p_account, a.entries + 1, t.id, a.balance, a.held, a.incoming, h);
  UPDATE accounts SET balance = a.balance, held = a.held, incoming = a.incoming, entries = a.entries + 1, head = h
  WHERE id = p_account;
END $$;

-- Posts a batch of transfers that belong together: all commit or none does.
-- Phases: posted (moves balance), pending (holds: debit's held, credit's incoming), post_pending (posts
-- all or part of a pending transfer; the rest returns), void_pending (returns all of it).
-- For post_pending/void_pending the accounts come from the pending transfer; amount NULL = all of it.
-- A batch already posted is answered from the stored rows (created = false) if it is the same batch;
-- the same ids with different content raise AZ409. Events (nexus envelopes) are written to the outbox
-- only when the batch is new.
-- Errors: AZ402 insufficient funds (DETAIL: the account), AZ404 unknown account or pending transfer,
-- AZ409 idempotency conflict, AZ410 pending transfer already resolved, AZ422 invalid transfer.
CREATE FUNCTION post_transfers(p_ids UUID[], p_types TEXT[], p_phases TEXT[], p_debits UUID[], p_credits UUID[],
                               p_amounts BIGINT[], p_pendings UUID[], p_reasons TEXT[], p_initiator UUID,
                               p_events JSONB)
RETURNS TABLE (transfer_id UUID, created BOOLEAN, created_at TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
DECLARE
  n INT := cardinality(p_ids);
  debits UUID[] := p_debits;
  credits UUID[] := p_credits;
  amounts BIGINT[] := p_amounts;
  pend transfers;
  t transfers;
  involved UUID[];
  locked INT;
  found_count INT;
  missing UUID;
  e JSONB;
BEGIN
  IF n IS NULL OR n = 0 THEN
    RAISE EXCEPTION 'empty batch' USING ERRCODE = 'AZ422';
  END IF;
  -- Accounts of post/void come from the pending transfer (immutable, so readable before locking).
  FOR i IN 1..n LOOP
    IF p_phases[i] IN ('post_pending', 'void_pending') THEN
      SELECT * INTO pend FROM transfers WHERE id = p_pendings[i];
      IF NOT FOUND OR pend.phase <> 'pending' THEN
        RAISE EXCEPTION 'no pending transfer %', p_pendings[i] USING ERRCODE = 'AZ404', DETAIL = p_pendings[i]::text;
      END IF;
      debits[i] := pend.debit_account;
      credits[i] := pend.credit_account;
      IF p_phases[i] = 'void_pending' OR amounts[i] IS NULL THEN
        amounts[i] := pend.amount;
      ELSIF amounts[i] > pend.amount THEN
        RAISE EXCEPTION 'cannot post % of a pending %', amounts[i], pend.amount USING ERRCODE = 'AZ422';
      END IF;
    END IF;
  END LOOP;

  -- Lock every account involved, in id order (no deadlocks between batches).
  SELECT array_agg(DISTINCT a) INTO involved FROM unnest(debits || credits) AS a;
  LOOP
    SELECT count(*) INTO locked FROM (SELECT id FROM accounts WHERE id = ANY(involved) ORDER BY id FOR UPDATE) l;
    EXIT WHEN locked = cardinality(involved);
    SELECT x INTO missing FROM unnest(involved) x WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE id = x) LIMIT 1;
    IF missing IS NOT NULL THEN
      RAISE EXCEPTION 'unknown account %', missing USING ERRCODE = 'AZ404', DETAIL = missing::text;
    END IF;
    -- The account was opened by another transaction meanwhile: lock again, it is there now.
  END LOOP;

  -- Idempotency, checked under the locks so a concurrent twin of this batch is seen once it commits.
  SELECT count(*) INTO found_count FROM transfers WHERE id = ANY(p_ids);
  IF found_count > 0 THEN
    IF found_count <> n OR EXISTS (
        SELECT 1 FROM unnest(p_ids, p_types, p_phases, debits, credits, amounts, p_pendings, p_reasons)
               AS x(id, type, phase, debit, credit, amount, pending, reason)
        JOIN transfers s ON s.id = x.id
        WHERE s.type <> x.type OR s.phase <> x.phase OR s.debit_account <> x.debit OR s.credit_account <> x.credit
           OR s.amount <> x.amount OR s.pending_id IS DISTINCT FROM x.pending
           OR s.reason IS DISTINCT FROM x.reason) THEN
      RAISE EXCEPTION 'transfer ids already used for different transfers' USING ERRCODE = 'AZ409';
    END IF;
    RETURN QUERY SELECT s.id, false, s.created_at FROM unnest(p_ids) WITH ORDINALITY AS x(id, ord)
                 JOIN transfers s ON s.id = x.id ORDER BY x.ord;
    RETURN;
  END IF;

  FOR i IN 1..n LOOP
    IF p_phases[i] IN ('post_pending', 'void_pending') THEN
      IF EXISTS (SELECT 1 FROM transfers WHERE pending_id = p_pendings[i]) THEN
        RAISE EXCEPTION 'pending transfer % is already resolved', p_pendings[i] USING ERRCODE = 'AZ410',
          DETAIL = p_pendings[i]::text;
      END IF;
      SELECT * INTO pend FROM transfers WHERE id = p_pendings[i];
    ELSIF amounts[i] IS NULL OR amounts[i] <= 0 THEN
      RAISE EXCEPTION 'amount must be positive' USING ERRCODE = 'AZ422';
    END IF;
    INSERT INTO transfers (id, type, phase, debit_account, credit_account, amount, pending_id, reason, initiator)
    VALUES (p_ids[i], p_types[i], p_phases[i], debits[i], credits[i], amounts[i], p_pendings[i], p_reasons[i], p_initiator)
    RETURNING * INTO t;
    CASE t.phase
      WHEN 'posted' THEN
        PERFORM ledger_append(t.debit_account, t, -t.amount, 0, 0);
        PERFORM ledger_append(t.credit_account, t, t.amount, 0, 0);
      WHEN 'pending' THEN
        PERFORM ledger_append(t.debit_account, t, 0, t.amount, 0);
        PERFORM ledger_append(t.credit_account, t, 0, 0, t.amount);
      WHEN 'post_pending' THEN
        PERFORM ledger_append(t.debit_account, t, -t.amount, -pend.amount, 0);
        PERFORM ledger_append(t.credit_account, t, t.amount, 0, -pend.amount);
      WHEN 'void_pending' THEN
        PERFORM ledger_append(t.debit_account, t, 0, -pend.amount, 0);
        PERFORM ledger_append(t.credit_account, t, 0, 0, -pend.amount);
    END CASE;
    transfer_id := t.id;
    created := true;
    created_at := t.created_at;
    RETURN NEXT;
  END LOOP;

  -- Nexus outbox (the platform's table in this database), in the same transaction as the money.
  FOR e IN SELECT value FROM jsonb_array_elements(coalesce(p_events, '[]'::jsonb)) LOOP
    INSERT INTO nexus_outbox (id, type, envelope) VALUES ((e ->> 'id')::uuid, e ->> 'type', e);
  END LOOP;
END $$;
