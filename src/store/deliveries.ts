import type { DeliveryStatus } from '../model.ts';
import { isUniqueViolation, type Db, type Queryable } from './db.ts';
import { runCombined, type Statement } from './statement.ts';
import { outboxInsert } from './webhook-outbox.ts';
import type { OutboxEvent } from '../webhook-rules/events.ts';

/** One message to one recipient: the unit that is queued, sent, retried and tracked. */
export interface DeliveryRecord {
  id: string;
  orderNumber: string;
  fulfillmentId: string;
  recipient: string;
  recipientName?: string;
  kind: 'fulfillment' | 'resend';
  /** For resends: the lines (SSRNs) the message lists; absent means every line of the fulfillment. */
  ssrns?: string[];
  resendId?: string;
  reason?: string;
  requestedBy?: string;
  status: DeliveryStatus;
  attempts: number;
  lastError?: string;
  messageId: string;
  createdAt: string;
  queuedAt?: string;
  /** Set the moment the SMTP server accepted the message: the durable marker that prevents a second send. */
  acceptedAt?: string;
  smtpResponse?: string;
  failedAt?: string;
  bouncedAt?: string;
  /** A bounce's delivery status notification: its status code (5.1.1) and the remote server's diagnostic. */
  dsnStatus?: string;
  dsnDiagnostic?: string;
}

/** More writes that belong to the same state change (its webhook event), run in its transaction. */
export type InTransaction = (tx: Queryable) => Promise<void>;

/** One try at sending, with the server's answer. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  outcome: 'sent' | 'retrying' | 'failed';
  response?: string;
}

export interface DeliveryWithAttempts extends DeliveryRecord {
  attemptLog: DeliveryAttempt[];
}

const COLUMN: Record<keyof DeliveryRecord, string> = {
  id: 'id',
  orderNumber: 'order_number',
  fulfillmentId: 'fulfillment_id',
  recipient: 'recipient',
  recipientName: 'recipient_name',
  kind: 'kind',
  ssrns: 'ssrns',
  resendId: 'resend_id',
  reason: 'reason',
  requestedBy: 'requested_by',
  status: 'status',
  attempts: 'attempts',
  lastError: 'last_error',
  messageId: 'message_id',
  createdAt: 'created_at',
  queuedAt: 'queued_at',
  acceptedAt: 'accepted_at',
  smtpResponse: 'smtp_response',
  failedAt: 'failed_at',
  bouncedAt: 'bounced_at',
  dsnStatus: 'dsn_status',
  dsnDiagnostic: 'dsn_diagnostic',
};
const FIELDS = Object.keys(COLUMN) as Array<keyof DeliveryRecord>;
const SELECT = FIELDS.map((f) => `d.${COLUMN[f]}`).join(', ');
const MAX_RESPONSE = 500;

function fromRow(row: Record<string, unknown>): DeliveryRecord {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const v = row[COLUMN[f]];
    if (v !== null && v !== undefined) out[f] = v;
  }
  return out as unknown as DeliveryRecord;
}

/** A resend asked for with an Idempotency-Key (see `insertResend`). */
export interface ResendRequestRecord {
  id: string;
  fingerprint: string;
  createdAt: string;
}

/** Creates delivery records (intake's, in its transaction; a resend's). */
export function insertDeliveries(records: DeliveryRecord[]): Statement | undefined {
  if (records.length === 0) return undefined;
  const rows = records.map((d) => Object.fromEntries(FIELDS.map((f) => [COLUMN[f], d[f] ?? null])));
  return {
    text: `INSERT INTO deliveries (${FIELDS.map((f) => COLUMN[f]).join(', ')})
     SELECT ${FIELDS.map((f) => COLUMN[f]).join(', ')}
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, order_number text, fulfillment_id text, recipient text,
       recipient_name text, kind text, ssrns text[], resend_id text, reason text, requested_by text, status text,
       attempts integer, last_error text, message_id text, created_at timestamptz, queued_at timestamptz,
       accepted_at timestamptz, smtp_response text, failed_at timestamptz, bounced_at timestamptz, dsn_status text,
       dsn_diagnostic text)`,
    values: [JSON.stringify(rows)],
  };
}

/** Scheduled deliveries whose ship date has come: queued now (a part of the fan-out's statement). */
export function queueScheduled(ids: string[], at: string): Statement | undefined {
  if (ids.length === 0) return undefined;
  return {
    text: "UPDATE deliveries SET status = 'queued', queued_at = $2 WHERE id = ANY($1::text[]) AND status = 'scheduled'",
    values: [ids, at],
  };
}

export class DeliveryStore {
  constructor(private readonly db: Db) {}

  private async select(where: string, params: unknown[]): Promise<DeliveryRecord[]> {
    return (
      await this.db.query(`SELECT ${SELECT} FROM deliveries d WHERE ${where} ORDER BY d.created_at, d.seq`, params)
    ).map(fromRow);
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    return (await this.select('d.id = $1', [id]))[0];
  }

  getMany(ids: string[]): Promise<DeliveryRecord[]> {
    return ids.length ? this.select('d.id = ANY($1::text[])', [ids]) : Promise.resolve([]);
  }

  /** The first deliveries of a fulfillment (one per contact), not its resends. */
  forFulfillment(fulfillmentId: string): Promise<DeliveryRecord[]> {
    return this.select("d.fulfillment_id = $1 AND d.kind = 'fulfillment'", [fulfillmentId]);
  }

  /** Every delivery of an order, first and resends, each with its attempts. */
  async forOrder(orderNumber: string): Promise<DeliveryWithAttempts[]> {
    const rows = await this.db.query(
      `SELECT ${SELECT},
         (SELECT coalesce(
                   jsonb_agg(
                     jsonb_strip_nulls(jsonb_build_object(
                       'attempt', a.attempt, 'at', a.at, 'outcome', a.outcome, 'response', a.response
                     ))
                     ORDER BY a.attempt
                   ),
                   '[]'
                 )
            FROM delivery_attempts a WHERE a.delivery_id = d.id) AS attempt_log
       FROM deliveries d WHERE d.order_number = $1 ORDER BY d.created_at, d.seq`,
      [orderNumber],
    );
    return rows.map((row) => ({
      ...fromRow(row),
      // jsonb renders timestamps in PostgreSQL's form; the API speaks ISO 8601 throughout.
      attemptLog: (row.attempt_log as DeliveryAttempt[]).map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
    }));
  }

  /**
   * A resend's deliveries, and with them the request they answer when it came with an Idempotency-Key: one statement,
   * so a request seen before (`resend_requests`' key) fails it whole and writes nothing.
   */
  async insertResend(records: DeliveryRecord[], request?: ResendRequestRecord): Promise<'created' | 'seen-before'> {
    const keyed: Statement | undefined = request && {
      text: 'INSERT INTO resend_requests (id, fingerprint, delivery_ids, created_at) VALUES ($1, $2, $3, $4)',
      values: [request.id, request.fingerprint, records.map((d) => d.id), request.createdAt],
    };
    try {
      await runCombined(this.db, [keyed, insertDeliveries(records)]);
      return 'created';
    } catch (error) {
      if (request && isUniqueViolation(error)) return 'seen-before';
      throw error;
    }
  }

  /** The fingerprint of the resend request stored under `id`, with its deliveries as they are now. */
  async resendRequest(id: string): Promise<{ fingerprint: string; deliveries: DeliveryRecord[] } | undefined> {
    const [row] = await this.db.query<{ fingerprint: string; delivery_ids: string[] }>(
      'SELECT fingerprint, delivery_ids FROM resend_requests WHERE id = $1',
      [id],
    );
    if (!row) return undefined;
    const byId = new Map((await this.getMany(row.delivery_ids)).map((d) => [d.id, d]));
    return { fingerprint: row.fingerprint, deliveries: row.delivery_ids.flatMap((d) => byId.get(d) ?? []) };
  }

  /** Updates fields of an existing record. */
  async update(id: string, fields: Partial<Omit<DeliveryRecord, 'id'>>): Promise<void> {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined) as Array<[keyof DeliveryRecord, unknown]>;
    if (entries.length === 0) return;
    const sets = entries.map(([f], i) => `${COLUMN[f]} = $${i + 2}`).join(', ');
    await this.db.query(`UPDATE deliveries SET ${sets} WHERE id = $1`, [id, ...entries.map(([, v]) => v)]);
  }

  /**
   * Records SMTP acceptance, the attempt and the webhook events that report it, in one statement. Written before
   * anything else can fail after the server said 250, so that a retried job finds it and finishes without sending
   * again.
   */
  async markAccepted(
    id: string,
    at: Date,
    messageId: string,
    smtpResponse: string,
    attempt: number,
    events: OutboxEvent[],
  ): Promise<void> {
    const response = smtpResponse.slice(0, MAX_RESPONSE);
    await runCombined(this.db, [
      {
        text: `UPDATE deliveries SET status = 'sent', accepted_at = $2, message_id = $3, smtp_response = $4,
                 attempts = $5 WHERE id = $1`,
        values: [id, at.toISOString(), messageId, response, attempt],
      },
      attemptInsert(id, { attempt, at: at.toISOString(), outcome: 'sent', response }),
      outboxInsert(events),
    ]);
  }

  /** A send that failed: retried later, or (`final`) given up. */
  async markFailedAttempt(
    id: string,
    at: Date,
    attempt: number,
    final: boolean,
    error: string,
    also?: InTransaction,
  ): Promise<void> {
    const response = error.slice(0, MAX_RESPONSE);
    await this.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE deliveries SET status = $2, attempts = $3, last_error = $4,
           failed_at = CASE WHEN $5 THEN $6::timestamptz ELSE failed_at END
         WHERE id = $1`,
        [id, final ? 'failed' : 'retrying', attempt, response, final, at.toISOString()],
      );
      await runCombined(tx, [
        attemptInsert(id, { attempt, at: at.toISOString(), outcome: final ? 'failed' : 'retrying', response }),
      ]);
      await also?.(tx);
    });
  }

  /** Marks a delivery bounced with the report's status and diagnostic; false when it already was. */
  async markBounced(
    id: string,
    at: Date,
    dsn: { status?: string; diagnostic?: string },
    also?: InTransaction,
  ): Promise<boolean> {
    const lastError = [dsn.status, dsn.diagnostic].filter(Boolean).join(' ').slice(0, MAX_RESPONSE);
    return this.db.transaction(async (tx) => {
      const rows = await tx.query(
        `UPDATE deliveries
         SET status = 'bounced', bounced_at = $2, last_error = $3, dsn_status = $4, dsn_diagnostic = $5
         WHERE id = $1 AND status <> 'bounced' RETURNING id`,
        [id, at.toISOString(), lastError, dsn.status ?? null, dsn.diagnostic?.slice(0, MAX_RESPONSE) ?? null],
      );
      if (rows.length === 0) return false;
      await also?.(tx);
      return true;
    });
  }

  /**
   * Deliveries that should be in the send queue: queued or retrying, not accepted by SMTP, of a fulfillment already
   * fanned out (before that, the fan-out queues them). What the reconciler re-queues after Redis lost its queues.
   */
  async unsent(limit: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT d.id FROM deliveries d JOIN fulfillments f ON f.id = d.fulfillment_id
       WHERE d.accepted_at IS NULL AND d.status IN ('queued', 'retrying') AND f.fanned_out_at IS NOT NULL
       ORDER BY d.created_at LIMIT $1`,
      [limit],
      { planPerCall: true },
    );
    return rows.map((r) => r.id);
  }
}

function attemptInsert(id: string, a: DeliveryAttempt): Statement {
  // A stalled job may run the same attempt number again: the later answer is the one that counts.
  return {
    text: `INSERT INTO delivery_attempts (delivery_id, attempt, at, outcome, response) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (delivery_id, attempt)
       DO UPDATE SET at = EXCLUDED.at, outcome = EXCLUDED.outcome, response = EXCLUDED.response`,
    values: [id, a.attempt, a.at, a.outcome, a.response ?? null],
  };
}
