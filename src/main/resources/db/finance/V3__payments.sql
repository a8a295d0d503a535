-- Card purchases of AZR through Stripe.

CREATE TABLE payment_intents (
  id            TEXT        PRIMARY KEY,         -- Stripe's PaymentIntent id (pi_...)
  user_id       UUID        NOT NULL,
  azr           BIGINT      NOT NULL CHECK (azr > 0),
  amount_cents  BIGINT      NOT NULL CHECK (amount_cents > 0),
  currency      TEXT        NOT NULL,
  status        TEXT        NOT NULL CHECK (status IN ('created', 'succeeded', 'payment_failed', 'canceled')),
  refunded_cents BIGINT     NOT NULL DEFAULT 0,  -- as Stripe last reported it (cumulative)
  taken_back    BIGINT      NOT NULL DEFAULT 0,  -- AZR recovered from the buyer's wallet after refunds
  owed          BIGINT      NOT NULL DEFAULT 0,  -- AZR refunded by card but no longer in the wallet
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX payment_intents_by_user ON payment_intents (user_id, created_at);

-- Stripe events handled, so a redelivered event changes nothing.
CREATE TABLE stripe_events (
  id          TEXT        PRIMARY KEY,
  type        TEXT        NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
