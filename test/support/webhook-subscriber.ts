import type { Db } from '../../src/store/db.ts';
import { WebhookEndpoints } from '../../src/store/webhook-endpoints.ts';
import { EVENT_TYPES } from '../../src/webhook-rules/events.ts';

/**
 * Registers an endpoint that wants every event type (or `eventTypes`), so that state changes record their webhook
 * events: the outbox keeps only events some enabled endpoint wants.
 */
export function subscribe(
  db: Db,
  eventTypes: readonly string[] = EVENT_TYPES,
  url = 'https://receiver.example/hooks',
  at = new Date('2000-01-01T00:00:00Z'),
) {
  return new WebhookEndpoints(db).create(
    { url, eventTypes: [...eventTypes], secret: 'whsec_dGVzdA==', createdBy: 'test' },
    at,
  );
}
