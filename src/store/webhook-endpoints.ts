import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from './db.ts';

/** A registered receiver of webhooks, as admins see it: never with its secret, which is shown once at creation. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  createdAt: string;
  createdBy: string;
  failingSince: string | null;
  lastSuccessAt: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
}

export interface NewEndpoint {
  url: string;
  eventTypes: string[];
  description?: string;
  secret: string;
  createdBy: string;
}

const COLUMNS = `id, url, event_types AS "eventTypes", description, created_at AS "createdAt",
  created_by AS "createdBy", failing_since AS "failingSince", last_success_at AS "lastSuccessAt",
  disabled_at AS "disabledAt", disabled_reason AS "disabledReason"`;

// A success is written at most this often per endpoint, so busy endpoints do not serialise every delivery on one row.
const SUCCESS_REFRESH = '10 seconds';

export class WebhookEndpoints {
  constructor(private readonly db: Db) {}

  async create(endpoint: NewEndpoint, at: Date): Promise<WebhookEndpoint> {
    const id = `whe_${randomBytes(9).toString('base64url')}`;
    const rows = await this.db.query<WebhookEndpoint>(
      `INSERT INTO webhook_endpoints (id, url, event_types, description, secret, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [
        id,
        endpoint.url,
        endpoint.eventTypes,
        endpoint.description ?? null,
        endpoint.secret,
        at.toISOString(),
        endpoint.createdBy,
      ],
    );
    return rows[0]!;
  }

  async list(): Promise<WebhookEndpoint[]> {
    return this.db.query<WebhookEndpoint>(`SELECT ${COLUMNS} FROM webhook_endpoints ORDER BY created_at, id`);
  }

  async get(id: string): Promise<WebhookEndpoint | undefined> {
    return (await this.db.query<WebhookEndpoint>(`SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = $1`, [id]))[0];
  }

  /**
   * Enables a disabled endpoint with a fresh failure clock: the failures before it was disabled no longer count toward
   * disabling it again. An enabled endpoint is left as it is (`enabled: false`); undefined when there is none.
   */
  async enable(id: string): Promise<{ endpoint: WebhookEndpoint; enabled: boolean } | undefined> {
    const [enabled] = await this.db.query<WebhookEndpoint>(
      `UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL, failing_since = NULL
       WHERE id = $1 AND disabled_at IS NOT NULL RETURNING ${COLUMNS}`,
      [id],
    );
    if (enabled) return { endpoint: enabled, enabled: true };
    const endpoint = await this.get(id);
    return endpoint && { endpoint, enabled: false };
  }

  /** Removes the endpoint with its deliveries and their attempts. False when there was none. */
  async remove(id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id', [id])).length > 0;
  }

  async recordSuccess(tx: Queryable, id: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE webhook_endpoints SET failing_since = NULL, last_success_at = $2
       WHERE id = $1
         AND (failing_since IS NOT NULL OR last_success_at IS NULL
              OR last_success_at < $2::timestamptz - interval '${SUCCESS_REFRESH}')`,
      [id, at.toISOString()],
    );
  }

  /** Notes a failure; returns since when the endpoint has been failing without a success in between. */
  async recordFailure(tx: Queryable, id: string, at: Date): Promise<string | undefined> {
    const rows = await tx.query<{ failingSince: string }>(
      `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2)
       WHERE id = $1 RETURNING failing_since AS "failingSince"`,
      [id, at.toISOString()],
    );
    return rows[0]?.failingSince;
  }

  /**
   * Disables an endpoint and closes its open deliveries (nothing more will be tried). True only for the call that
   * disabled it, so the admins are told once however many deliveries fail at the same moment.
   */
  async disable(tx: Queryable, id: string, at: Date, reason: string): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3
       WHERE id = $1 AND disabled_at IS NULL RETURNING id`,
      [id, at.toISOString(), reason],
    );
    if (rows.length === 0) return false;
    await tx.query(
      `UPDATE webhook_deliveries SET status = 'failed', last_error = $2
       WHERE endpoint_id = $1 AND status IN ('pending', 'retrying')`,
      [id, `endpoint disabled: ${reason}`],
    );
    return true;
  }
}
