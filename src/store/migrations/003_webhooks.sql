-- Webhooks (contract section 9): the endpoints, the outbox of events written in the transaction of the state change
-- they report, and one delivery per (event, endpoint) with every attempt made.

CREATE TABLE webhook_endpoints (
  id               text PRIMARY KEY,
  url              text NOT NULL,
  event_types      text[] NOT NULL,
  description      text,
  -- The signing key must be read back to sign, so it is stored as given; it is shown to the admin once, at creation.
  secret           text NOT NULL,
  created_at       timestamptz NOT NULL,
  created_by       text NOT NULL,
  -- Set by the first failed attempt after a success; a success clears it. Three days of it disables the endpoint.
  failing_since    timestamptz,
  last_success_at  timestamptz,
  disabled_at      timestamptz,
  disabled_reason  text
);

-- The outbox. `relayed_at` is set once a delivery row exists for every endpoint that wants the event.
CREATE TABLE webhook_events (
  id            text PRIMARY KEY,          -- also the `webhook-id` every endpoint sees for this event
  type          text NOT NULL,
  order_number  text,
  body          text NOT NULL,             -- the JSON sent, the same bytes on every attempt: {type, timestamp, data}
  occurred_at   timestamptz NOT NULL,
  relayed_at    timestamptz
);
CREATE INDEX webhook_events_unrelayed ON webhook_events (occurred_at) WHERE relayed_at IS NULL;
CREATE INDEX webhook_events_by_order ON webhook_events (order_number, occurred_at) WHERE order_number IS NOT NULL;

CREATE TABLE webhook_deliveries (
  id               text PRIMARY KEY,
  endpoint_id      text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id         text NOT NULL REFERENCES webhook_events(id),
  status           text NOT NULL,          -- pending | retrying | delivered | failed
  attempts         integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL,
  last_attempt_at  timestamptz,
  delivered_at     timestamptz,
  last_error       text,
  -- Bumped by each manual retry, so its queue job is new even while an older job of the delivery is kept.
  retries          integer NOT NULL DEFAULT 0,
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_open ON webhook_deliveries (created_at) WHERE status IN ('pending', 'retrying');

CREATE TABLE webhook_attempts (
  delivery_id    text NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt        integer NOT NULL,
  at             timestamptz NOT NULL,
  duration_ms    integer NOT NULL,
  outcome        text NOT NULL,            -- delivered | http-error | timeout | network-error | refused
  status_code    integer,
  response_body  text,                     -- the first 1 KB of the answer
  error          text,
  manual         boolean NOT NULL DEFAULT false,
  PRIMARY KEY (delivery_id, attempt)
);

-- No silent failure: one row per fulfillment none of whose recipients could be reached, written with its
-- order.undeliverable event in the transaction of the last failure or bounce. Support is told once: notified_at.
CREATE TABLE undeliverable_fulfillments (
  fulfillment_id  text PRIMARY KEY REFERENCES fulfillments(id),
  order_number    text NOT NULL,
  recipients      jsonb NOT NULL,          -- [{recipient, status, lastError}]
  detected_at     timestamptz NOT NULL,
  notified_at     timestamptz
);
CREATE INDEX undeliverable_unnotified ON undeliverable_fulfillments (detected_at) WHERE notified_at IS NULL;

-- A bounced recipient is shown with the report's own words in every view: its status code and diagnostic.
ALTER TABLE deliveries ADD COLUMN dsn_status text, ADD COLUMN dsn_diagnostic text;
