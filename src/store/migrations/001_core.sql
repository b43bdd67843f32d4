-- The system of record. Redis keeps queues, locks and rate limits only; everything support, accounts and the
-- subscription timer need to find lives here. Calendar dates are `date`, instants `timestamptz`.

CREATE TABLE events (
  event_id     text PRIMARY KEY,
  digest       text NOT NULL,
  record       jsonb NOT NULL,            -- the validated event as accepted
  response     jsonb NOT NULL,            -- intake's answer, replayed for a repeat of the same event
  accepted_at  timestamptz NOT NULL,
  accepted_by  text NOT NULL
);

CREATE TABLE orders (
  number        text PRIMARY KEY,
  po_number     text,
  end_customer  jsonb NOT NULL,
  locale        text NOT NULL,
  record        jsonb NOT NULL,           -- the SalesOrder as last accepted
  updated_at    timestamptz NOT NULL
);

CREATE TABLE order_accounts (
  order_number  text NOT NULL REFERENCES orders(number),
  account_id    text NOT NULL,
  role          text NOT NULL,
  name          text,
  PRIMARY KEY (order_number, account_id)
);
CREATE INDEX order_accounts_by_account ON order_accounts (account_id, order_number);

CREATE TABLE contacts (
  order_number  text NOT NULL REFERENCES orders(number),
  email         text NOT NULL,            -- lower case
  name          text,
  role          text,
  account_id    text,
  PRIMARY KEY (order_number, email)
);
CREATE INDEX contacts_by_email ON contacts (email);

CREATE TABLE fulfillments (
  id                  text PRIMARY KEY,
  event_id            text NOT NULL REFERENCES events(event_id),
  order_number        text NOT NULL REFERENCES orders(number),
  ship_date           date NOT NULL,
  certificate_number  text NOT NULL UNIQUE,
  ssrns               text[] NOT NULL,    -- line order
  created_at          timestamptz NOT NULL,
  fanned_out_at       timestamptz
);
CREATE INDEX fulfillments_by_order ON fulfillments (order_number);
CREATE INDEX fulfillments_pending ON fulfillments (ship_date) WHERE fanned_out_at IS NULL;

CREATE TABLE entitlements (
  ssrn             text PRIMARY KEY,
  activation_code  text NOT NULL UNIQUE,
  order_number     text NOT NULL REFERENCES orders(number),
  event_id         text NOT NULL REFERENCES events(event_id),
  fulfillment_id   text NOT NULL REFERENCES fulfillments(id),
  position         integer NOT NULL,      -- the line's place in its event
  line_number      text NOT NULL,
  sku              text NOT NULL,
  product          text NOT NULL,
  license_name     text NOT NULL,
  description      text NOT NULL,
  quantity         integer NOT NULL,
  license_type     text NOT NULL,
  purchase         text NOT NULL,
  term_months      integer,
  renews_ssrn      text,
  ship_date        date NOT NULL,
  start_date       date NOT NULL,
  end_date         date,
  grace_days       integer NOT NULL,
  devices          jsonb NOT NULL DEFAULT '[]'
);
-- Also the order in which account and contact searches page (order number, SSRN).
CREATE INDEX entitlements_by_order ON entitlements (order_number, ssrn);
CREATE INDEX entitlements_by_end ON entitlements (end_date) WHERE end_date IS NOT NULL;
CREATE INDEX entitlements_by_renewed ON entitlements (renews_ssrn) WHERE renews_ssrn IS NOT NULL;

-- The bytes first attached: a resend attaches them again, whatever a later renderer would make.
CREATE TABLE certificates (
  fulfillment_id  text PRIMARY KEY REFERENCES fulfillments(id),
  pdf             bytea NOT NULL,
  created_at      timestamptz NOT NULL
);

CREATE TABLE deliveries (
  id              text PRIMARY KEY,
  order_number    text NOT NULL REFERENCES orders(number),
  fulfillment_id  text NOT NULL REFERENCES fulfillments(id),
  recipient       text NOT NULL,
  recipient_name  text,
  kind            text NOT NULL,          -- fulfillment | resend
  ssrns           text[],                 -- resends of chosen lines; NULL: every line
  resend_id       text,
  reason          text,
  requested_by    text,
  status          text NOT NULL,          -- scheduled | queued | sent | retrying | failed | bounced
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  message_id      text NOT NULL,
  created_at      timestamptz NOT NULL,
  queued_at       timestamptz,
  accepted_at     timestamptz,            -- set right after the SMTP 250: a retry never sends again
  smtp_response   text,
  failed_at       timestamptz,
  bounced_at      timestamptz,
  seq             bigint GENERATED ALWAYS AS IDENTITY  -- creation order among deliveries made at the same instant
);
CREATE INDEX deliveries_by_order ON deliveries (order_number, created_at, seq);
CREATE INDEX deliveries_by_fulfillment ON deliveries (fulfillment_id);
CREATE INDEX deliveries_by_recipient ON deliveries (recipient);
-- What the reconciler re-queues after a Redis loss: open deliveries not yet accepted by SMTP.
CREATE INDEX deliveries_open ON deliveries (fulfillment_id) WHERE accepted_at IS NULL AND status IN ('queued', 'retrying');

CREATE TABLE delivery_attempts (
  delivery_id  text NOT NULL REFERENCES deliveries(id),
  attempt      integer NOT NULL,
  at           timestamptz NOT NULL,
  outcome      text NOT NULL,             -- sent | retrying | failed
  response     text,
  PRIMARY KEY (delivery_id, attempt)
);

CREATE TABLE issued_keys (
  ssrn        text NOT NULL REFERENCES entitlements(ssrn),
  device      text NOT NULL,
  license_id  text NOT NULL,
  key_text    text NOT NULL,
  issued_on   date NOT NULL,
  PRIMARY KEY (ssrn, device)
);

-- One row per device claim made by email activation.
CREATE TABLE activations (
  ssrn        text NOT NULL REFERENCES entitlements(ssrn),
  device      text NOT NULL,
  license_id  text NOT NULL,
  at          timestamptz NOT NULL,
  sender      text NOT NULL,
  message_id  text,
  PRIMARY KEY (ssrn, device)
);

-- One row per inbound activation message: the decision, whether the reply went out, where it was filed.
CREATE TABLE inbound_messages (
  uid_validity   text NOT NULL,
  uid            bigint NOT NULL,
  raw            bytea,                   -- cleared once filed
  decision       jsonb,
  reply_sent_at  timestamptz,
  folder         text,
  received_at    timestamptz NOT NULL,
  PRIMARY KEY (uid_validity, uid)
);
CREATE INDEX inbound_messages_unfiled ON inbound_messages (received_at) WHERE folder IS NULL;

CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL,
  action        text NOT NULL,
  order_number  text,
  outcome       text NOT NULL,
  detail        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_by_order ON audit_log (order_number, id) WHERE order_number IS NOT NULL;
