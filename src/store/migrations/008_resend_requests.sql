-- Resends asked for with an Idempotency-Key: the same request again (a double-clicked form, a client retrying after a
-- lost answer) gets the first one's deliveries back instead of sending again.
CREATE TABLE resend_requests (
  id            text PRIMARY KEY,        -- the resend id, derived from the caller, the order and the key
  fingerprint   text NOT NULL,           -- the request as understood: lines, recipients, reason
  delivery_ids  text[] NOT NULL,
  created_at    timestamptz NOT NULL
);
