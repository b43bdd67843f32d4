-- The admins' view of an endpoint lists its latest failed deliveries: found without reading its delivered ones.
CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (endpoint_id, last_attempt_at DESC, id DESC)
  WHERE status IN ('retrying', 'failed') AND last_attempt_at IS NOT NULL;
