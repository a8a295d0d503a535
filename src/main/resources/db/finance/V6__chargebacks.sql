-- Chargebacks: a card payment disputed with the bank is taken back like a refund while the dispute is
-- open or lost, and given back if it is won. What a buyer's wallet no longer holds is owed.

CREATE TABLE stripe_disputes (
  id             TEXT        PRIMARY KEY,          -- Stripe's dispute id (dp_...)
  payment_intent TEXT        NOT NULL REFERENCES payment_intents,
  amount_cents   BIGINT      NOT NULL CHECK (amount_cents >= 0),
  status         TEXT        NOT NULL,             -- as Stripe last reported it: needs_response, lost, won...
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stripe_disputes_by_intent ON stripe_disputes (payment_intent);

CREATE INDEX payment_intents_owed ON payment_intents (user_id) WHERE owed > 0;
ALTER TABLE payment_intents ADD COLUMN disputed_cents BIGINT NOT NULL DEFAULT 0;  -- under open or lost disputes
