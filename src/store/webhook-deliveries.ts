import type { Db, Queryable } from './db.ts';

export type WebhookDeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';

/** What a send needs: the delivery, its endpoint (with the secret) and its event's body. */
export interface DeliveryToSend {
  id: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  createdAt: string;
  endpointId: string;
  url: string;
  secret: string;
  endpointDisabledAt: string | null;
  eventId: string;
  eventType: string;
  /** The JSON to send. */
  body: string;
}

export interface WebhookAttempt {
  attempt: number;
  at: string;
  durationMs: number;
  outcome: string;
  statusCode: number | null;
  response: string | null;
  error: string | null;
  manual: boolean;
}

export interface AttemptRecord extends Omit<WebhookAttempt, 'attempt'> {
  /** The delivery's status after this attempt. */
  status: WebhookDeliveryStatus;
}

export interface WebhookDeliveryView {
  id: string;
  webhookId: string;
  eventType: string;
  orderNumber: string | null;
  status: WebhookDeliveryStatus;
  createdAt: string;
  deliveredAt: string | null;
  lastError: string | null;
  attempts: WebhookAttempt[];
}

/** A delivery whose latest attempt failed (still retrying, or given up), with that attempt. */
export interface FailedWebhookDelivery {
  id: string;
  webhookId: string;
  eventType: string;
  orderNumber: string | null;
  status: 'retrying' | 'failed';
  attempts: number;
  lastAttempt: Omit<WebhookAttempt, 'attempt' | 'durationMs' | 'manual'>;
}

export class WebhookDeliveries {
  constructor(private readonly db: Db) {}

  async toSend(id: string): Promise<DeliveryToSend | undefined> {
    const rows = await this.db.query<DeliveryToSend>(
      `SELECT d.id, d.status, d.attempts, d.created_at AS "createdAt", e.id AS "endpointId", e.url, e.secret,
              e.disabled_at AS "endpointDisabledAt", v.id AS "eventId", v.type AS "eventType", v.body
       FROM webhook_deliveries d
       JOIN webhook_endpoints e ON e.id = d.endpoint_id
       JOIN webhook_events v ON v.id = d.event_id
       WHERE d.id = $1`,
      [id],
    );
    return rows[0];
  }

  /**
   * Appends an attempt and sets the delivery's status, in `tx`. Returns the attempt's number, or undefined when the
   * delivery is gone.
   */
  async recordAttempt(tx: Queryable, id: string, a: AttemptRecord): Promise<number | undefined> {
    const updated = await tx.query<{ attempts: number }>(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = $2, status = $3, last_error = $4,
         delivered_at = CASE WHEN $3 = 'delivered' THEN $2::timestamptz ELSE delivered_at END
       WHERE id = $1 RETURNING attempts`,
      [id, a.at, a.status, a.outcome === 'delivered' ? null : a.error],
    );
    const attempt = updated[0]?.attempts;
    if (attempt === undefined) return undefined;
    await tx.query(
      `INSERT INTO webhook_attempts
         (delivery_id, attempt, at, duration_ms, outcome, status_code, response_body, error, manual)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [id, attempt, a.at, a.durationMs, a.outcome, a.statusCode, a.response, a.error, a.manual],
    );
    return attempt;
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.db.query(
      `UPDATE webhook_deliveries SET status = 'failed', last_error = $2
       WHERE id = $1 AND status IN ('pending', 'retrying')`,
      [id, error],
    );
  }

  /**
   * A manual retry: returns its sequence number (for a job id of its own), or undefined when no such delivery is on the
   * endpoint.
   */
  async startManualRetry(endpointId: string, id: string): Promise<number | undefined> {
    const rows = await this.db.query<{ retries: number }>(
      'UPDATE webhook_deliveries SET retries = retries + 1 WHERE id = $1 AND endpoint_id = $2 RETURNING retries',
      [id, endpointId],
    );
    return rows[0]?.retries;
  }

  /** Newest first, `limit` deliveries of one endpoint created before the cursor delivery, each with every attempt. */
  async forEndpoint(endpointId: string, options: { limit: number; before?: string }): Promise<WebhookDeliveryView[]> {
    const deliveries = await this.db.query<Omit<WebhookDeliveryView, 'attempts'>>(
      `SELECT d.id, d.event_id AS "webhookId", v.type AS "eventType", v.order_number AS "orderNumber", d.status,
              d.created_at AS "createdAt", d.delivered_at AS "deliveredAt", d.last_error AS "lastError"
       FROM webhook_deliveries d JOIN webhook_events v ON v.id = d.event_id
       WHERE d.endpoint_id = $1
         AND ($3::text IS NULL OR (d.created_at, d.id) < (SELECT created_at, id FROM webhook_deliveries WHERE id = $3))
       ORDER BY d.created_at DESC, d.id DESC LIMIT $2`,
      [endpointId, options.limit, options.before ?? null],
      { planPerCall: true },
    );
    if (deliveries.length === 0) return [];
    const attempts = await this.db.query<WebhookAttempt & { deliveryId: string }>(
      `SELECT delivery_id AS "deliveryId", attempt, at, duration_ms AS "durationMs", outcome,
              status_code AS "statusCode", response_body AS response, error, manual
       FROM webhook_attempts WHERE delivery_id = ANY ($1) ORDER BY delivery_id, attempt`,
      [deliveries.map((d) => d.id)],
    );
    const byDelivery = new Map<string, WebhookAttempt[]>();
    for (const { deliveryId, ...a } of attempts) byDelivery.set(deliveryId, [...(byDelivery.get(deliveryId) ?? []), a]);
    return deliveries.map((d) => ({ ...d, attempts: byDelivery.get(d.id) ?? [] }));
  }

  /** Per endpoint, its `limit` deliveries that failed most recently (by their latest attempt), newest first. */
  async recentFailures(endpointIds: readonly string[], limit: number): Promise<Map<string, FailedWebhookDelivery[]>> {
    const rows = await this.db.query<
      Omit<FailedWebhookDelivery, 'lastAttempt'> & { endpointId: string } & WebhookAttempt
    >(
      `SELECT e.id AS "endpointId", f.* FROM unnest($1::text[]) AS e(id) CROSS JOIN LATERAL (
         SELECT d.id, d.event_id AS "webhookId", v.type AS "eventType", v.order_number AS "orderNumber", d.status,
                d.attempts, a.at, a.outcome, a.status_code AS "statusCode", a.response_body AS response, a.error
         FROM webhook_deliveries d
         JOIN webhook_events v ON v.id = d.event_id
         JOIN LATERAL (SELECT * FROM webhook_attempts WHERE delivery_id = d.id ORDER BY attempt DESC LIMIT 1) a ON true
         WHERE d.endpoint_id = e.id AND d.status IN ('retrying', 'failed') AND d.last_attempt_at IS NOT NULL
         ORDER BY d.last_attempt_at DESC, d.id DESC LIMIT $2
       ) f`,
      [endpointIds, limit],
      { planPerCall: true },
    );
    const byEndpoint = new Map<string, FailedWebhookDelivery[]>(endpointIds.map((id) => [id, []]));
    for (const { endpointId, at, outcome, statusCode, response, error, ...d } of rows)
      byEndpoint.get(endpointId)!.push({ ...d, lastAttempt: { at, outcome, statusCode, response, error } });
    return byEndpoint;
  }

  /**
   * Deliveries still to be tried whose queue job may be missing, in id order after `afterId`: every open one
   * (start-up), or only those never attempted and created before `neverAttemptedBefore` (a relay that died between
   * creating and queueing them).
   */
  async openIds(options: { neverAttemptedBefore?: Date; afterId?: string; limit: number }): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM webhook_deliveries WHERE status IN ('pending', 'retrying') AND id > $2
         AND ($1::timestamptz IS NULL OR (attempts = 0 AND created_at < $1))
       ORDER BY id LIMIT $3`,
      [options.neverAttemptedBefore?.toISOString() ?? null, options.afterId ?? '', options.limit],
      { planPerCall: true },
    );
    return rows.map((r) => r.id);
  }
}
