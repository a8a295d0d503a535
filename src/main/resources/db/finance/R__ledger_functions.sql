-- The AZR ledger's functions, as they are now: the one current definition to read and to change.
-- (Flyway runs this repeatable migration after the versioned ones whenever its text changes; the
-- versioned files are history and keep the definitions each version had. A change of a function's
-- signature or result type needs a DROP here first, or a versioned migration.)
--
-- The ledger (database azora_mint) is double-entry after TigerBeetle's model: accounts hold running totals,
-- transfers and entries are immutable, and balances change only through post_transfer_groups() (or its
-- one-group wrappers), which locks the accounts it touches in id order, refuses overdrafts, resolves each
-- pending transfer at most once, and extends every touched account's hash chain, which LedgerVerifier
-- recomputes independently. Amounts are integer minor units: 1 AZR = 100,000,000.
--
-- Refusals (SQLSTATE, mapped once in Java by LedgerRefusal): AZ402 insufficient funds, AZ404 unknown
-- account or pending transfer, AZ409 ids used for different transfers, AZ410 pending transfer already
-- resolved, AZ422 invalid transfer; AZ500 a ledger row changed (the immutability triggers).

-- Transfers and entries are never changed or deleted.
CREATE OR REPLACE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are immutable (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'AZ500';
END $$;

-- p_groups[i] is the group (1..g) of transfer i; a group's transfers are contiguous and all-or-nothing.
-- p_events->(g - 1) is group g's array of Nexus envelopes (or null), written only if the group is new.
-- One row per transfer: outcome 'created', 'exists' (the same group posted before: its first result),
-- or the group's refusal: AZ402 insufficient funds, AZ404 unknown account or pending transfer, AZ409 ids
-- used for different transfers, AZ410 pending transfer already resolved, AZ422 invalid; detail names
-- the account or transfer concerned.
CREATE OR REPLACE FUNCTION post_transfer_groups(p_groups INT[], p_ids UUID[], p_types TEXT[], p_phases TEXT[], p_debits UUID[],
                                     p_credits UUID[], p_amounts BIGINT[], p_pendings UUID[], p_reasons TEXT[],
                                     p_initiators UUID[], p_events JSONB)
RETURNS TABLE (group_no INT, transfer_id UUID, outcome TEXT, created_at TIMESTAMPTZ, message TEXT, detail TEXT)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  n INT := cardinality(p_ids);
  g_count INT := p_groups[cardinality(p_groups)];
  debits UUID[] := p_debits;
  credits UUID[] := p_credits;
  amounts BIGINT[] := p_amounts;
  reserved BIGINT[] := array_fill(0::BIGINT, ARRAY[n]);
  -- Per group: NULL (to post), 'exists', or a refusal code, with its message and subject.
  g_outcome TEXT[] := array_fill(NULL::TEXT, ARRAY[g_count]);
  g_message TEXT[] := array_fill(NULL::TEXT, ARRAY[g_count]);
  g_detail TEXT[] := array_fill(NULL::TEXT, ARRAY[g_count]);
  -- Pending transfers referred to, and which of them are resolved already.
  p_rows transfers[];
  resolved UUID[];
  -- Transfers already stored with one of the batch's ids.
  s_rows transfers[];
  -- The locked accounts, in id order, and their running totals.
  involved UUID[];
  a_id UUID[]; a_min BIGINT[]; a_bal BIGINT[]; a_held BIGINT[]; a_inc BIGINT[]; a_ent BIGINT[]; a_head BYTEA[];
  a_ent0 BIGINT[];
  -- Snapshot for undoing a refused group.
  u_bal BIGINT[]; u_held BIGINT[]; u_inc BIGINT[]; u_ent BIGINT[]; u_head BYTEA[]; u_entries INT; u_resolved INT;
  -- What gets written.
  t_new BOOLEAN[] := array_fill(false, ARRAY[n]);
  e_account UUID[] := '{}'; e_seq BIGINT[] := '{}'; e_transfer UUID[] := '{}'; e_bal BIGINT[] := '{}';
  e_held BIGINT[] := '{}'; e_inc BIGINT[] := '{}'; e_hash BYTEA[] := '{}';
  c_ids UUID[]; c_at TIMESTAMPTZ[];
  pend transfers;
  stored transfers;
  g INT;
  first INT;
  last INT;
  k INT;
  side INT;
  acct UUID;
  d_bal BIGINT; d_held BIGINT; d_inc BIGINT;
  h BYTEA;
  e JSONB;
BEGIN
  IF n IS NULL OR n = 0 THEN
    RETURN;
  END IF;
  p_rows := ARRAY(SELECT t FROM transfers t WHERE t.id = ANY(p_pendings));

  -- Shape checks; accounts of post/void come from their pending transfer (immutable, read unlocked).
  FOR i IN 1..n LOOP
    g := p_groups[i];
    CONTINUE WHEN g_outcome[g] IS NOT NULL;
    IF p_phases[i] IN ('post_pending', 'void_pending') THEN
      pend := NULL;
      SELECT * INTO pend FROM unnest(p_rows) r WHERE r.id = p_pendings[i];
      IF pend.id IS NULL OR pend.phase <> 'pending' THEN
        g_outcome[g] := 'AZ404'; g_message[g] := 'no pending transfer ' || p_pendings[i]; g_detail[g] := p_pendings[i]::TEXT;
        CONTINUE;
      END IF;
      debits[i] := pend.debit_account;
      credits[i] := pend.credit_account;
      reserved[i] := pend.amount;
      IF p_phases[i] = 'void_pending' OR amounts[i] IS NULL THEN
        amounts[i] := pend.amount;
      ELSIF amounts[i] <= 0 OR amounts[i] > pend.amount THEN
        g_outcome[g] := 'AZ422'; g_message[g] := 'cannot post ' || amounts[i] || ' of a pending ' || pend.amount;
      END IF;
    ELSIF amounts[i] IS NULL OR amounts[i] <= 0 THEN
      g_outcome[g] := 'AZ422'; g_message[g] := 'amount must be positive';
    ELSIF debits[i] IS NULL OR credits[i] IS NULL OR debits[i] = credits[i] THEN
      g_outcome[g] := 'AZ422'; g_message[g] := 'a transfer needs two different accounts';
    END IF;
  END LOOP;

  -- Lock every account involved, in id order (no deadlocks between batches), and read its totals.
  involved := ARRAY(SELECT DISTINCT x FROM unnest(debits || credits) x WHERE x IS NOT NULL ORDER BY x);
  SELECT array_agg(l.id ORDER BY l.id), array_agg(l.min_balance ORDER BY l.id), array_agg(l.balance ORDER BY l.id),
         array_agg(l.held ORDER BY l.id), array_agg(l.incoming ORDER BY l.id), array_agg(l.entries ORDER BY l.id),
         array_agg(l.head ORDER BY l.id)
    INTO a_id, a_min, a_bal, a_held, a_inc, a_ent, a_head
    FROM (SELECT * FROM accounts WHERE id = ANY(involved) ORDER BY id FOR UPDATE) l;
  a_id := coalesce(a_id, '{}');
  a_ent0 := a_ent;

  -- Idempotency and resolutions, read under the locks: a concurrent twin of a group, or another
  -- resolution of the same hold, is seen once it commits.
  s_rows := ARRAY(SELECT t FROM transfers t WHERE t.id = ANY(p_ids));
  resolved := ARRAY(SELECT t.pending_id FROM transfers t
                    WHERE t.pending_id = ANY(p_pendings) AND t.pending_id IS NOT NULL);

  first := 1;
  WHILE first <= n LOOP
    g := p_groups[first];
    last := first;
    WHILE last < n AND p_groups[last + 1] = g LOOP
      last := last + 1;
    END LOOP;
    IF g_outcome[g] IS NULL THEN
      -- Posted before (or earlier in this batch): the same content is the same group, else a conflict.
      FOR i IN first..last LOOP
        stored := NULL;
        SELECT * INTO stored FROM unnest(s_rows) r WHERE r.id = p_ids[i];
        IF stored.id IS NULL AND i > 1 AND p_ids[i] = ANY(p_ids[1:first - 1]) THEN
          k := array_position(p_ids, p_ids[i]);
          stored := ROW(p_ids[k], p_types[k], p_phases[k], debits[k], credits[k], amounts[k], p_pendings[k],
                        p_reasons[k], p_initiators[k], NULL)::transfers;
          IF NOT t_new[k] THEN
            stored := NULL;  -- its first occurrence was refused: this one is judged on its own
          END IF;
        END IF;
        IF i > first AND p_ids[i] = ANY(p_ids[first:i - 1]) THEN
          g_outcome[g] := 'AZ422'; g_message[g] := 'the same transfer id twice in one group';
        ELSIF stored.id IS NOT NULL THEN
          IF stored.type <> p_types[i] OR stored.phase <> p_phases[i] OR stored.debit_account <> debits[i]
             OR stored.credit_account <> credits[i] OR stored.amount <> amounts[i]
             OR stored.pending_id IS DISTINCT FROM p_pendings[i] OR stored.reason IS DISTINCT FROM p_reasons[i] THEN
            g_outcome[g] := 'AZ409'; g_message[g] := 'transfer ids already used for different transfers';
          ELSIF i = first THEN
            g_outcome[g] := 'exists';
          ELSIF g_outcome[g] IS DISTINCT FROM 'exists' THEN
            g_outcome[g] := 'AZ409'; g_message[g] := 'transfer ids already used for different transfers';
          END IF;
        ELSIF g_outcome[g] = 'exists' THEN
          g_outcome[g] := 'AZ409'; g_message[g] := 'transfer ids already used for different transfers';
        END IF;
      END LOOP;
    END IF;
    IF g_outcome[g] IS NULL THEN
      u_bal := a_bal; u_held := a_held; u_inc := a_inc; u_ent := a_ent; u_head := a_head;
      u_entries := cardinality(e_account); u_resolved := cardinality(resolved);
      <<apply>>
      FOR i IN first..last LOOP
        IF p_phases[i] IN ('post_pending', 'void_pending') THEN
          IF p_pendings[i] = ANY(resolved) THEN
            g_outcome[g] := 'AZ410'; g_message[g] := 'pending transfer ' || p_pendings[i] || ' is already resolved';
            g_detail[g] := p_pendings[i]::TEXT;
            EXIT apply;
          END IF;
          resolved := resolved || p_pendings[i];
        END IF;
        FOR side IN 1..2 LOOP
          acct := CASE side WHEN 1 THEN debits[i] ELSE credits[i] END;
          k := array_position(a_id, acct);
          IF k IS NULL THEN
            g_outcome[g] := 'AZ404'; g_message[g] := 'unknown account ' || acct; g_detail[g] := acct::TEXT;
            EXIT apply;
          END IF;
          CASE p_phases[i]
            WHEN 'posted' THEN
              d_bal := CASE side WHEN 1 THEN -amounts[i] ELSE amounts[i] END; d_held := 0; d_inc := 0;
            WHEN 'pending' THEN
              d_bal := 0;
              d_held := CASE side WHEN 1 THEN amounts[i] ELSE 0 END;
              d_inc := CASE side WHEN 2 THEN amounts[i] ELSE 0 END;
            WHEN 'post_pending' THEN
              d_bal := CASE side WHEN 1 THEN -amounts[i] ELSE amounts[i] END;
              d_held := CASE side WHEN 1 THEN -reserved[i] ELSE 0 END;
              d_inc := CASE side WHEN 2 THEN -reserved[i] ELSE 0 END;
            ELSE
              d_bal := 0;
              d_held := CASE side WHEN 1 THEN -reserved[i] ELSE 0 END;
              d_inc := CASE side WHEN 2 THEN -reserved[i] ELSE 0 END;
          END CASE;
          a_bal[k] := a_bal[k] + d_bal;
          a_held[k] := a_held[k] + d_held;
          a_inc[k] := a_inc[k] + d_inc;
          a_ent[k] := a_ent[k] + 1;
          IF a_min[k] IS NOT NULL AND a_bal[k] - a_held[k] < a_min[k] AND (d_bal < 0 OR d_held > 0) THEN
            g_outcome[g] := 'AZ402'; g_message[g] := 'insufficient funds in account ' || acct; g_detail[g] := acct::TEXT;
            EXIT apply;
          END IF;
          -- The text LedgerVerifier hashes too: keep the two identical.
          h := sha256(convert_to(acct::TEXT || '|' || a_ent[k] || '|' || p_ids[i]::TEXT || '|' || p_types[i] || '|'
            || p_phases[i] || '|' || debits[i]::TEXT || '|' || credits[i]::TEXT || '|' || amounts[i]
            || '|' || coalesce(p_pendings[i]::TEXT, '') || '|' || a_bal[k] || '|' || a_held[k] || '|' || a_inc[k]
            || '|' || coalesce(encode(a_head[k], 'hex'), ''), 'UTF8'));
          a_head[k] := h;
          e_account := e_account || acct; e_seq := e_seq || a_ent[k]; e_transfer := e_transfer || p_ids[i];
          e_bal := e_bal || a_bal[k]; e_held := e_held || a_held[k]; e_inc := e_inc || a_inc[k]; e_hash := e_hash || h;
        END LOOP;
      END LOOP;
      IF g_outcome[g] IS NULL THEN
        FOR i IN first..last LOOP
          t_new[i] := true;
        END LOOP;
      ELSE
        a_bal := u_bal; a_held := u_held; a_inc := u_inc; a_ent := u_ent; a_head := u_head;
        e_account := e_account[1:u_entries]; e_seq := e_seq[1:u_entries]; e_transfer := e_transfer[1:u_entries];
        e_bal := e_bal[1:u_entries]; e_held := e_held[1:u_entries]; e_inc := e_inc[1:u_entries];
        e_hash := e_hash[1:u_entries]; resolved := resolved[1:u_resolved];
      END IF;
    END IF;
    first := last + 1;
  END LOOP;

  IF true = ANY(t_new) THEN
    WITH written AS (
      INSERT INTO transfers (id, type, phase, debit_account, credit_account, amount, pending_id, reason, initiator)
      SELECT x.id, x.type, x.phase, x.debit, x.credit, x.amount, x.pending, x.reason, x.initiator
      FROM unnest(p_ids, p_types, p_phases, debits, credits, amounts, p_pendings, p_reasons, p_initiators, t_new)
           AS x(id, type, phase, debit, credit, amount, pending, reason, initiator, new)
      WHERE x.new
      RETURNING transfers.id, transfers.created_at)
    SELECT array_agg(w.id), array_agg(w.created_at) INTO c_ids, c_at FROM written w;
    INSERT INTO entries (account_id, seq, transfer_id, balance, held, incoming, hash)
    SELECT * FROM unnest(e_account, e_seq, e_transfer, e_bal, e_held, e_inc, e_hash);
    UPDATE accounts a SET balance = u.balance, held = u.held, incoming = u.incoming, entries = u.entries, head = u.head
    FROM unnest(a_id, a_bal, a_held, a_inc, a_ent, a_head, a_ent0) AS u(id, balance, held, incoming, entries, head, before)
    WHERE a.id = u.id AND u.entries <> u.before;
    -- Nexus outbox (the platform's table in this database), in the same transaction as the money.
    FOR g IN 1..g_count LOOP
      CONTINUE WHEN g_outcome[g] IS NOT NULL;
      CONTINUE WHEN jsonb_typeof(p_events -> (g - 1)) IS DISTINCT FROM 'array';
      FOR e IN SELECT value FROM jsonb_array_elements(p_events -> (g - 1)) LOOP
        INSERT INTO nexus_outbox (id, type, envelope) VALUES ((e ->> 'id')::UUID, e ->> 'type', e);
      END LOOP;
    END LOOP;
  END IF;

  FOR i IN 1..n LOOP
    g := p_groups[i];
    group_no := g;
    transfer_id := p_ids[i];
    message := g_message[g];
    detail := g_detail[g];
    created_at := NULL;
    IF t_new[i] THEN
      outcome := 'created';
      created_at := c_at[array_position(c_ids, p_ids[i])];
    ELSIF g_outcome[g] = 'exists' THEN
      outcome := 'exists';
      SELECT r.created_at INTO created_at FROM unnest(s_rows) r WHERE r.id = p_ids[i];
      IF created_at IS NULL THEN
        created_at := c_at[array_position(c_ids, p_ids[i])];
      END IF;
    ELSE
      outcome := g_outcome[g];
    END IF;
    RETURN NEXT;
  END LOOP;
END $$;

-- Plan each call's statements for the tables as they are: a plan cached while the ledger was empty
-- (sequential scans) would otherwise stay for the connection's life as the tables grow (measured: the
-- bench's throughput fell by a fifth every round until this). Planning is per batch, not per transfer.
ALTER FUNCTION post_transfer_groups(INT[], UUID[], TEXT[], TEXT[], UUID[], UUID[], BIGINT[], UUID[], TEXT[], UUID[], JSONB)
  SET plan_cache_mode = force_custom_plan;

-- One group, all-or-nothing, raising its refusal (for callers inside their own transaction).
CREATE OR REPLACE FUNCTION post_transfers(p_ids UUID[], p_types TEXT[], p_phases TEXT[], p_debits UUID[], p_credits UUID[],
                               p_amounts BIGINT[], p_pendings UUID[], p_reasons TEXT[], p_initiator UUID,
                               p_events JSONB)
RETURNS TABLE (transfer_id UUID, created BOOLEAN, created_at TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
DECLARE
  r RECORD;
BEGIN
  IF p_ids IS NULL OR cardinality(p_ids) = 0 THEN
    RAISE EXCEPTION 'empty batch' USING ERRCODE = 'AZ422';
  END IF;
  FOR r IN SELECT * FROM post_transfer_groups(array_fill(1, ARRAY[cardinality(p_ids)]), p_ids, p_types, p_phases,
      p_debits, p_credits, p_amounts, p_pendings, p_reasons, array_fill(p_initiator, ARRAY[cardinality(p_ids)]),
      jsonb_build_array(p_events)) LOOP
    IF r.outcome NOT IN ('created', 'exists') THEN
      RAISE EXCEPTION '%', r.message USING ERRCODE = r.outcome, DETAIL = coalesce(r.detail, '');
    END IF;
    transfer_id := r.transfer_id;
    created := r.outcome = 'created';
    created_at := r.created_at;
    RETURN NEXT;
  END LOOP;
END $$;

-- Within a deadline: a batch posted on behalf of requests whose callers stop waiting at some point waits for
-- account locks no longer than that (lock_timeout), so it fails before the caller gives up instead of
-- committing after it did. The setting is put back afterwards: a caller's transaction that goes on
-- (an escrow funding, a webhook) keeps its own.
CREATE OR REPLACE FUNCTION post_transfer_groups_within(p_lock_timeout_ms INT, p_groups INT[], p_ids UUID[], p_types TEXT[],
                                            p_phases TEXT[], p_debits UUID[], p_credits UUID[], p_amounts BIGINT[],
                                            p_pendings UUID[], p_reasons TEXT[], p_initiators UUID[], p_events JSONB)
RETURNS TABLE (group_no INT, transfer_id UUID, outcome TEXT, created_at TIMESTAMPTZ, message TEXT, detail TEXT)
LANGUAGE plpgsql AS $$
DECLARE
  previous TEXT := current_setting('lock_timeout');
BEGIN
  IF p_lock_timeout_ms > 0 THEN
    PERFORM set_config('lock_timeout', p_lock_timeout_ms || 'ms', true);
  END IF;
  RETURN QUERY SELECT * FROM post_transfer_groups(p_groups, p_ids, p_types, p_phases, p_debits, p_credits, p_amounts,
                                                  p_pendings, p_reasons, p_initiators, p_events);
  IF p_lock_timeout_ms > 0 THEN
    PERFORM set_config('lock_timeout', previous, true);
  END IF;
END $$;
