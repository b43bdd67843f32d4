import type { OutboxEvent } from '../webhook-rules/events.ts';
import type { Db, Queryable } from './db.ts';
import { runCombined, type Statement } from './statement.ts';

/**
 * The outbox rows of `events` that an enabled endpoint wants: the relay gives an event only to endpoints that were
 * enabled and registered before it, so one that nobody wants would never be sent, and a site without webhooks keeps no
 * outbox. A statement for the caller to run with the state change the events report (`combined`).
 */
export function outboxInsert(events: OutboxEvent[]): Statement | undefined {
  if (events.length === 0) return undefined;
  return {
    text: `INSERT INTO webhook_events (id, type, order_number, body, occurred_at)
     SELECT x.id, x.type, x.order_number, x.body, x.occurred_at
       FROM jsonb_to_recordset($1::jsonb)
         AS x(id text, type text, order_number text, body text, occurred_at timestamptz)
      WHERE EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.disabled_at IS NULL AND x.type = ANY (e.event_types))
     ON CONFLICT (id) DO NOTHING`,
    values: [
      JSON.stringify(
        events.map((e) => ({
          id: e.id,
          type: e.type,
          order_number: e.orderNumber,
          body: e.body,
          occurred_at: e.occurredAt,
        })),
      ),
    ],
  };
}

/** Writes events into the outbox within `tx`, for stores whose own transaction makes the change. */
export async function recordWebhookEvents(tx: Queryable, events: OutboxEvent[]): Promise<void> {
  await runCombined(tx, [outboxInsert(events)]);
}

/**
 * The outbox of webhook events. A state change records its event with the transaction that makes the change, so the
 * event exists exactly when the change does; the relay then turns each event into one delivery per endpoint that wants
 * it.
 */
export class WebhookOutbox {
  constructor(private readonly db: Db) {}

  /** Writes the event in `tx`, the transaction of the state change. Recording the same event again is a no-op. */
  record(tx: Queryable, event: OutboxEvent): Promise<void> {
    return recordWebhookEvents(tx, [event]);
  }

  /**
   * Relays up to `limit` events not relayed yet: creates one delivery per enabled endpoint registered before the event
   * and subscribed to its type, and marks the events relayed, in one statement. Several relays may run at once (rows
   * taken by one are skipped by the others). Returns how many events were relayed and the new deliveries' ids.
   */
  async relay(limit: number, at: Date): Promise<{ events: number; deliveryIds: string[] }> {
    const rows = await this.db.query<{ events: number; deliveryIds: string[] }>(
      `WITH batch AS (
         SELECT id, type, occurred_at FROM webhook_events WHERE relayed_at IS NULL
         ORDER BY occurred_at LIMIT $1 FOR UPDATE SKIP LOCKED
       ), created AS (
         INSERT INTO webhook_deliveries (id, endpoint_id, event_id, status, created_at)
         SELECT 'whd_' || replace(gen_random_uuid()::text, '-', ''), e.id, b.id, 'pending', $2
         FROM batch b JOIN webhook_endpoints e
           ON e.disabled_at IS NULL AND b.type = ANY (e.event_types) AND e.created_at <= b.occurred_at
         ON CONFLICT (endpoint_id, event_id) DO NOTHING
         RETURNING id
       ), marked AS (
         UPDATE webhook_events SET relayed_at = $2 WHERE id IN (SELECT id FROM batch) RETURNING id
       )
       SELECT (SELECT count(*)::int FROM marked) AS events,
              COALESCE((SELECT array_agg(id) FROM created), '{}') AS "deliveryIds"`,
      [limit, at.toISOString()],
    );
    return rows[0]!;
  }

  async unrelayedCount(): Promise<number> {
    return (
      await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_events WHERE relayed_at IS NULL')
    )[0]!.n;
  }
}
