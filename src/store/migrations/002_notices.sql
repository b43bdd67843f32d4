-- The subscription timer (contract section 8): the notices that went out, to whom, who opted out, and the sweep's state.

-- One message of one notice to one recipient, listing the entitlements of one order that the notice concerns on one
-- sweep date (the group). The id derives from the group and the recipient (so it is unique per group and recipient):
-- a repeated sweep finds the row, and the queue refuses a second job with that id.
CREATE TABLE notice_deliveries (
  id              text PRIMARY KEY,
  group_id        text NOT NULL,
  order_number    text NOT NULL REFERENCES orders(number),
  notice          text NOT NULL,          -- reminder-<days> | grace | expiry
  notice_date     date NOT NULL,          -- the sweep date that formed the group
  ssrns           text[] NOT NULL,        -- the entitlements the message lists, in line order
  recipient       text NOT NULL,          -- lower case
  recipient_name  text,
  status          text NOT NULL,          -- queued | sent | retrying | failed | bounced | cancelled | interrupted
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  message_id      text NOT NULL,
  created_at      timestamptz NOT NULL,
  sending_since   timestamptz,            -- an attempt is talking to SMTP; still set when a job starts: it died mid-send
  accepted_at     timestamptz,            -- set right after the SMTP 250: a retry never sends again
  smtp_response   text,
  failed_at       timestamptz,
  bounced_at      timestamptz
);
CREATE INDEX notice_deliveries_by_order ON notice_deliveries (order_number, created_at);
-- What a sweep queues again after a sweep that did not complete, or when in flight for long (a queue that lost its
-- jobs). Few rows: only what is in flight.
CREATE INDEX notice_deliveries_in_flight ON notice_deliveries (created_at) WHERE status IN ('queued', 'retrying');

-- At most once per (entitlement, notice, recipient), whatever runs or crashes: the claim is taken in the transaction
-- that records the delivery, and the primary key refuses a second one. No foreign keys: the one method that writes
-- claims takes them from the entitlements just read and writes their deliveries in the same transaction, and the
-- checks cost 40% of a sweep's recording time.
CREATE TABLE notice_claims (
  ssrn         text NOT NULL,
  notice       text NOT NULL,
  recipient    text NOT NULL,
  delivery_id  text NOT NULL,
  PRIMARY KEY (ssrn, notice, recipient)
);

-- Addresses that opted out of notices (RFC 8058 one-click or the page's button). Fulfillment mail ignores this table.
CREATE TABLE notice_opt_outs (
  email          text PRIMARY KEY,        -- lower case
  opted_out_at   timestamptz NOT NULL
);

-- One row: the key that signs unsubscribe links, made here once per database so that no setting is needed and every
-- process of the service signs alike; and the last date a sweep completed, from which the next one catches up.
CREATE TABLE notice_state (
  singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  unsubscribe_key  bytea NOT NULL,
  swept_through    date
);
-- gen_random_uuid draws from the server's strong random source; two of them hashed give 32 bytes of key.
INSERT INTO notice_state (unsubscribe_key) VALUES (sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())));

-- "What is due": reminders and grace notices count from the day the paid term ends (end date less the grace days).
CREATE INDEX entitlements_by_paid_end ON entitlements ((end_date - grace_days))
  WHERE license_type = 'subscription' AND end_date IS NOT NULL;
