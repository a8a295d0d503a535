-- Deadlines: a batch posted on behalf of requests whose callers stop waiting at some point waits for
-- account locks no longer than that (lock_timeout), so it fails before the caller gives up instead of
-- committing after it did. The setting is put back afterwards: a caller's transaction that goes on
-- (an escrow funding, a webhook) keeps its own.
CREATE FUNCTION post_transfer_groups_within(p_lock_timeout_ms INT, p_groups INT[], p_ids UUID[], p_types TEXT[],
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
