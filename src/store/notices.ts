import type { IsoDate } from '../model.ts';
import type { OutboxEvent } from '../webhook-rules/events.ts';
import { recordWebhookEvents } from './webhook-outbox.ts';
import type { Db } from './db.ts';

// The subscription timer's repository: what is due (an indexed query over entitlements), the notices recorded per
// (entitlement, notice, recipient), their deliveries, opt-outs and the sweep's state. Every SQL statement of it is
// here.

/** A subscription entitlement a sweep looks at: the fields its notice dates come from. */
export interface TimerRow {
  ssrn: string;
  orderNumber: string;
  licenseType: 'subscription' | 'perpetual';
  startDate: IsoDate;
  endDate: IsoDate;
  graceDays: number;
  /** A renewal of this SSRN has been accepted: its notices still to come are cancelled. */
  renewed: boolean;
}

/** `interrupted`: a process died while talking to SMTP, so whether it went out is unknown; never sent again. */
export type NoticeStatus = 'queued' | 'sent' | 'retrying' | 'failed' | 'bounced' | 'cancelled' | 'interrupted';

export interface NoticeDeliveryRecord {
  id: string;
  groupId: string;
  orderNumber: string;
  notice: string;
  noticeDate: IsoDate;
  ssrns: string[];
  recipient: string;
  recipientName?: string;
  status: NoticeStatus;
  attempts: number;
  lastError?: string;
  messageId: string;
  createdAt: string;
  sendingSince?: string;
  acceptedAt?: string;
  smtpResponse?: string;
  failedAt?: string;
  bouncedAt?: string;
}

/** What a new delivery is recorded with (the plan of a sweep). */
export interface NewNoticeDelivery {
  id: string;
  groupId: string;
  orderNumber: string;
  notice: string;
  date: IsoDate;
  ssrns: string[];
  recipient: string;
  recipientName?: string;
  messageId: string;
}

/** The order and entitlement data a notice is rendered from. */
export interface NoticeSource {
  order: { number: string; poNumber?: string; endCustomer: { name: string }; locale: string };
  entitlements: Array<{
    ssrn: string;
    lineNumber: string;
    sku: string;
    licenseName: string;
    description: string;
    quantity: number;
    startDate: IsoDate;
    endDate: IsoDate;
    graceDays: number;
    renewed: boolean;
  }>;
}

// Any fixed number: sweeps record one at a time, so two at once never interleave their claims.
const RECORD_LOCK = 7_315_021;

// Whether a renewal of `e` was accepted: one probe of the renewals index per row. (As a plain EXISTS the planner may
// hash the whole table's renewals for a handful of rows.)
const RENEWED = `LEFT JOIN LATERAL (SELECT true AS found FROM entitlements r WHERE r.renews_ssrn = e.ssrn LIMIT 1)
  renewal ON true`;

const TIMER_COLUMNS = `e.ssrn, e.order_number AS "orderNumber", e.license_type AS "licenseType",
  e.start_date AS "startDate", e.end_date AS "endDate", e.grace_days AS "graceDays",
  renewal.found IS NOT NULL AS renewed`;

const DELIVERY_COLUMNS = `id, group_id AS "groupId", order_number AS "orderNumber", notice,
  notice_date AS "noticeDate", ssrns, recipient, recipient_name AS "recipientName", status, attempts,
  last_error AS "lastError", message_id AS "messageId", created_at AS "createdAt", sending_since AS "sendingSince",
  accepted_at AS "acceptedAt", smtp_response AS "smtpResponse", failed_at AS "failedAt", bounced_at AS "bouncedAt"`;

/** SQL NULLs become absent fields, as the rest of the records have them. */
function withoutNulls<T>(row: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null)) as T;
}

/**
 * Subscription entitlements with a notice falling due between `from` and `to` (inclusive) and not expired by `to`:
 * one range of the paid-term-end index per reminder offset and one for grace notices, the end-date index for expiry
 * notices. Which notice each gets is the caller's rule; this only narrows a million rows to the few due. Exported so
 * that tests and the benchmark can EXPLAIN the very statement.
 */
export function dueBetweenQuery(
  from: IsoDate,
  to: IsoDate,
  offsetsDays: readonly number[],
): { sql: string; params: unknown[] } {
  const ranges = [0, ...offsetsDays].map(
    (_, i) => `(e.end_date - e.grace_days) BETWEEN $1::date + $${i + 3}::int AND $2::date + $${i + 3}::int`,
  );
  return {
    sql: `SELECT ${TIMER_COLUMNS} FROM entitlements e ${RENEWED}
      WHERE e.license_type = 'subscription' AND e.end_date IS NOT NULL AND e.end_date >= $2::date
        AND (${ranges.join(' OR ')} OR e.end_date BETWEEN $1::date AND $2::date)
      ORDER BY e.order_number, e.position`,
    params: [from, to, 0, ...offsetsDays],
  };
}

export class NoticeStore {
  constructor(private readonly db: Db) {}

  /** The key that signs unsubscribe links, made by the migration once per database. */
  async unsubscribeKey(): Promise<Buffer> {
    const [row] = await this.db.query<{ key: Buffer }>('SELECT unsubscribe_key AS key FROM notice_state');
    return row!.key;
  }

  async sweptThrough(): Promise<IsoDate | undefined> {
    const [row] = await this.db.query<{ date: IsoDate | null }>('SELECT swept_through AS date FROM notice_state');
    return row?.date ?? undefined;
  }

  /** Never moves back: a sweep of a past date (an operator's `--date`) leaves the catch-up point where it was. */
  async markSwept(date: IsoDate): Promise<void> {
    await this.db.query('UPDATE notice_state SET swept_through = GREATEST(swept_through, $1::date)', [date]);
  }

  /** Subscription entitlements with a notice falling due between `from` and `to` (inclusive): see dueBetweenQuery. */
  async dueBetween(from: IsoDate, to: IsoDate, offsetsDays: readonly number[]): Promise<TimerRow[]> {
    const q = dueBetweenQuery(from, to, offsetsDays);
    return this.db.query<TimerRow>(q.sql, q.params, { planPerCall: true });
  }

  /** The subscription entitlements of an order, for support's view of the notices to come. */
  async orderTimers(orderNumber: string): Promise<TimerRow[]> {
    return this.db.query<TimerRow>(
      `SELECT ${TIMER_COLUMNS} FROM entitlements e ${RENEWED}
       WHERE e.order_number = $1 AND e.license_type = 'subscription' AND e.end_date IS NOT NULL ORDER BY e.position`,
      [orderNumber],
    );
  }

  /** The contacts of these orders that have not opted out. */
  async recipients(
    orderNumbers: readonly string[],
  ): Promise<Array<{ orderNumber: string; email: string; name?: string }>> {
    const rows = await this.db.query(
      `SELECT c.order_number AS "orderNumber", c.email, c.name FROM contacts c
       WHERE c.order_number = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM notice_opt_outs o WHERE o.email = c.email)
       ORDER BY c.order_number, c.email`,
      [orderNumbers],
    );
    return rows.map((r) => withoutNulls(r));
  }

  async claims(ssrns: readonly string[]): Promise<Array<{ ssrn: string; notice: string; recipient: string }>> {
    return this.db.query('SELECT ssrn, notice, recipient FROM notice_claims WHERE ssrn = ANY($1::text[])', [ssrns]);
  }

  /**
   * Records planned deliveries, each with a claim per (entitlement, notice, recipient), in one transaction. A claim
   * already held (another sweep got there first) is left out of its delivery, and a delivery left with no entitlement
   * is not recorded. Returns the deliveries recorded, with the entitlements they list.
   */
  async record(planned: readonly NewNoticeDelivery[], at: Date): Promise<Array<{ id: string; ssrns: string[] }>> {
    if (planned.length === 0) return [];
    const claims = planned.flatMap((p) =>
      p.ssrns.map((ssrn) => ({ ssrn, notice: p.notice, recipient: p.recipient, id: p.id })),
    );
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [RECORD_LOCK]);
      const won = await tx.query<{ id: string; ssrn: string }>(
        `INSERT INTO notice_claims (ssrn, notice, recipient, delivery_id)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         ON CONFLICT DO NOTHING RETURNING delivery_id AS id, ssrn`,
        [
          claims.map((c) => c.ssrn),
          claims.map((c) => c.notice),
          claims.map((c) => c.recipient),
          claims.map((c) => c.id),
        ],
      );
      const wonBy = new Map<string, Set<string>>();
      for (const w of won) wonBy.set(w.id, (wonBy.get(w.id) ?? new Set()).add(w.ssrn));
      const kept = planned
        .filter((p) => wonBy.has(p.id))
        .map((p) => ({ ...p, ssrns: p.ssrns.filter((s) => wonBy.get(p.id)!.has(s)) }));
      if (kept.length === 0) return [];
      const column = <K extends keyof NewNoticeDelivery>(k: K) => kept.map((p) => p[k] ?? null);
      await tx.query(
        `INSERT INTO notice_deliveries (id, group_id, order_number, notice, notice_date, ssrns, recipient,
           recipient_name, status, message_id, created_at)
         SELECT id, group_id, order_number, notice, notice_date, string_to_array(ssrns, ','), recipient,
           recipient_name, 'queued', message_id, $10
         FROM unnest(
           $1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[], $8::text[], $9::text[]
         ) AS p(id, group_id, order_number, notice, notice_date, ssrns, recipient, recipient_name, message_id)`,
        [
          column('id'),
          column('groupId'),
          column('orderNumber'),
          column('notice'),
          column('date'),
          kept.map((p) => p.ssrns.join(',')),
          column('recipient'),
          column('recipientName'),
          column('messageId'),
          at.toISOString(),
        ],
      );
      return kept.map((p) => ({ id: p.id, ssrns: p.ssrns }));
    });
  }

  /**
   * Deliveries still in flight to queue again: all of them (`all`: the last sweep did not complete, so some may have
   * been recorded and never queued), else those recorded before `staleBefore` (the queue may have lost them).
   * Queueing an id the queue still holds changes nothing.
   */
  async unqueued(options: { all: boolean; staleBefore: Date }): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM notice_deliveries WHERE status IN ('queued', 'retrying') AND ($1 OR created_at < $2)
       ORDER BY created_at, id`,
      [options.all, options.staleBefore.toISOString()],
      { planPerCall: true },
    );
    return rows.map((r) => r.id);
  }

  async get(id: string): Promise<NoticeDeliveryRecord | undefined> {
    const [row] = await this.db.query(`SELECT ${DELIVERY_COLUMNS} FROM notice_deliveries WHERE id = $1`, [id]);
    return row && withoutNulls<NoticeDeliveryRecord>(row);
  }

  async forOrder(orderNumber: string): Promise<NoticeDeliveryRecord[]> {
    const rows = await this.db.query(
      `SELECT ${DELIVERY_COLUMNS} FROM notice_deliveries WHERE order_number = $1 ORDER BY created_at, id`,
      [orderNumber],
    );
    return rows.map((r) => withoutNulls<NoticeDeliveryRecord>(r));
  }

  /** The order and the entitlements (in line order) a delivery's message is rendered from. */
  async source(orderNumber: string, ssrns: readonly string[]): Promise<NoticeSource | undefined> {
    const [order] = await this.db.query<{
      number: string;
      poNumber: string | null;
      endCustomer: { name: string };
      locale: string;
    }>('SELECT number, po_number AS "poNumber", end_customer AS "endCustomer", locale FROM orders WHERE number = $1', [
      orderNumber,
    ]);
    if (!order) return undefined;
    const entitlements = await this.db.query<NoticeSource['entitlements'][number]>(
      `SELECT e.ssrn, e.line_number AS "lineNumber", e.sku, e.license_name AS "licenseName", e.description, e.quantity,
         e.start_date AS "startDate", e.end_date AS "endDate", e.grace_days AS "graceDays",
         renewal.found IS NOT NULL AS renewed
       FROM entitlements e ${RENEWED} WHERE e.ssrn = ANY($1::text[]) AND e.end_date IS NOT NULL ORDER BY e.position`,
      [ssrns],
    );
    return { order: withoutNulls(order), entitlements };
  }

  /** Right before talking to SMTP: if the process dies before the outcome is recorded, no later attempt sends it. */
  async markSending(id: string, at: Date, attempts: number): Promise<void> {
    await this.db.query(
      'UPDATE notice_deliveries SET sending_since = $2, attempts = $3 WHERE id = $1 AND accepted_at IS NULL',
      [id, at.toISOString(), attempts],
    );
  }

  /**
   * Right after the SMTP server's 250, before anything else can fail: a retried job finds it and sends nothing. The
   * `notice.sent` webhook event is written in the same transaction.
   */
  async markAccepted(id: string, at: Date, smtpResponse: string, attempts: number, sent: OutboxEvent): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE notice_deliveries
         SET status = 'sent', accepted_at = $2, smtp_response = $3, attempts = $4,
             last_error = NULL, sending_since = NULL
         WHERE id = $1`,
        [id, at.toISOString(), smtpResponse.slice(0, 500), attempts],
      );
      await recordWebhookEvents(tx, [sent]);
    });
  }

  /** An attempt whose outcome the SMTP server told (refused, or not reached): retrying it cannot send twice. */
  async markAttempt(
    id: string,
    outcome: { status: 'retrying' | 'failed' | 'interrupted'; attempts: number; error: string; at: Date },
  ): Promise<void> {
    await this.db.query(
      `UPDATE notice_deliveries SET status = $2, attempts = $3, last_error = $4, sending_since = NULL,
         failed_at = CASE WHEN $2 IN ('failed', 'interrupted') THEN $5::timestamptz END
       WHERE id = $1 AND accepted_at IS NULL`,
      [id, outcome.status, outcome.attempts, outcome.error.slice(0, 500), outcome.at.toISOString()],
    );
  }

  /** Not sent after all (opted out or renewed meanwhile): the claims stay, so the notice is not sent later either. */
  async markCancelled(id: string, reason: string): Promise<void> {
    await this.db.query(
      "UPDATE notice_deliveries SET status = 'cancelled', last_error = $2 WHERE id = $1 AND accepted_at IS NULL",
      [id, reason],
    );
  }

  /** A bounce report naming the delivery's exact Message-ID; false when it names no notice of ours. */
  async markBounced(id: string, messageId: string, at: Date, reason: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE notice_deliveries SET status = 'bounced', bounced_at = $3, last_error = $4
       WHERE id = $1 AND message_id = $2 RETURNING id`,
      [id, messageId, at.toISOString(), reason.slice(0, 500)],
    );
    return rows.length > 0;
  }

  /** Returns true when the address was not opted out before. */
  async optOut(email: string, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      'INSERT INTO notice_opt_outs (email, opted_out_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING email',
      [email.toLowerCase(), at.toISOString()],
    );
    return rows.length > 0;
  }

  async isOptedOut(email: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM notice_opt_outs WHERE email = $1', [email.toLowerCase()])).length > 0;
  }
}
