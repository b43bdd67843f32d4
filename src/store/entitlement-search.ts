import type { Entitlement, IsoDate } from '../model.ts';
import type { ActivationRecord } from './activations.ts';
import type { Queryable } from './db.ts';
import { ENTITLEMENT_COLUMNS, entitlementFromRow, type EntitlementRow } from './entitlements.ts';

export const ENTITLEMENT_STATUSES = ['active', 'expiring', 'in-grace', 'expired'] as const;
export type EntitlementStatus = (typeof ENTITLEMENT_STATUSES)[number];

/** Days before its end date from which an entitlement counts as expiring. */
export const EXPIRING_WITHIN_DAYS = 90;

/** How the messages of an entitlement's fulfillment fared, first deliveries and resends that list it. */
export interface DeliverySummary {
  recipients: number;
  sent: number;
  pending: number;
  failed: number;
  bounced: number;
  lastSentAt?: string;
}

export interface EntitlementFound extends Entitlement {
  status: EntitlementStatus;
  order: { number: string; poNumber?: string; endCustomer: { name: string; country?: string } };
  delivery: DeliverySummary;
  activations: ActivationRecord[];
}

export interface Page<T> {
  items: T[];
  /** Where the next page starts; absent on the last page. */
  next?: string;
}

export interface PageRequest {
  limit: number;
  /** A `next` from an earlier page. */
  cursor?: string;
}

export type EntitlementLookup = { ssrn: string } | { activationCode: string } | { email: string };

/** A cursor that no page ever gave out. */
export class BadCursorError extends Error {}

// One status per entitlement, the first that applies: expired on and after its end date; in grace during the last
// grace days of an initial subscription; expiring within EXPIRING_WITHIN_DAYS of the end; else active. Each rule is
// written with its exact opposite (a missing end date meets no rule), so a filter on a status is plain comparisons on
// columns the planner has statistics for. A CASE expression compared to a value gets a fixed guess of a few rows,
// which leads it to read every entitlement rather than walk the account's orders.
const STATUS_RULES = (today: string) =>
  [
    { status: 'expired', holds: `e.end_date <= ${today}`, fails: `(e.end_date IS NULL OR e.end_date > ${today})` },
    {
      status: 'in-grace',
      holds: `(e.grace_days > 0 AND e.end_date - e.grace_days <= ${today})`,
      fails: `(e.grace_days <= 0 OR e.end_date IS NULL OR e.end_date - e.grace_days > ${today})`,
    },
    {
      status: 'expiring',
      holds: `e.end_date <= ${today} + ${EXPIRING_WITHIN_DAYS}`,
      fails: `(e.end_date IS NULL OR e.end_date > ${today} + ${EXPIRING_WITHIN_DAYS})`,
    },
  ] as const;

const STATUS = (today: string) =>
  `CASE ${STATUS_RULES(today)
    .map((r) => `WHEN ${r.holds} THEN '${r.status}'`)
    .join(' ')} ELSE 'active' END`;

/** The condition for `status`: every earlier rule fails, and its own holds. */
function statusIs(status: EntitlementStatus, today: string): string {
  const rules = STATUS_RULES(today);
  const at = rules.findIndex((r) => r.status === status);
  const earlier = at < 0 ? rules : rules.slice(0, at);
  return [...earlier.map((r) => r.fails), ...(at < 0 ? [] : [rules[at]!.holds])].join(' AND ');
}

const encodeCursor = (orderNumber: string, ssrn: string) =>
  Buffer.from(JSON.stringify([orderNumber, ssrn])).toString('base64url');

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string'))
      return value as [string, string];
  } catch {
    // falls through to the error below
  }
  throw new BadCursorError('not a cursor this service gave out');
}

interface FoundRow extends EntitlementRow {
  status: EntitlementStatus;
  po_number: string | null;
  end_customer: { name: string; country?: string };
  delivery: {
    recipients: number;
    sent: number;
    pending: number;
    failed: number;
    bounced: number;
    last_sent_at: string | null;
  };
  activation_list: Array<{ device: string; license_id: string; at: string; sender: string; message_id: string | null }>;
}

/**
 * Entitlements as support and the licensing process look for them: by account (every line of the orders the account
 * is on), by SSRN, Activation Code or a contact's address. Paged by (order number, SSRN), each page one indexed query.
 */
export class EntitlementSearch {
  constructor(private readonly db: Queryable) {}

  byAccount(
    accountId: string,
    filter: { status?: EntitlementStatus; product?: string; today: IsoDate },
    page: PageRequest,
  ): Promise<Page<EntitlementFound>> {
    return this.search(
      'e.order_number IN (SELECT oa.order_number FROM order_accounts oa WHERE oa.account_id = $1)',
      [accountId],
      filter,
      page,
    );
  }

  find(lookup: EntitlementLookup, today: IsoDate, page: PageRequest): Promise<Page<EntitlementFound>> {
    if ('ssrn' in lookup) return this.search('e.ssrn = $1', [lookup.ssrn], { today }, page);
    if ('activationCode' in lookup)
      return this.search('e.activation_code = $1', [lookup.activationCode], { today }, page);
    return this.search(
      'e.order_number IN (SELECT c.order_number FROM contacts c WHERE c.email = $1)',
      [lookup.email.toLowerCase()],
      { today },
      page,
    );
  }

  private async search(
    where: string,
    params: unknown[],
    filter: { status?: EntitlementStatus; product?: string; today: IsoDate },
    page: PageRequest,
  ): Promise<Page<EntitlementFound>> {
    const values = [...params];
    const today = `$${values.push(filter.today)}::date`;
    const conditions = [where];
    if (filter.status) conditions.push(statusIs(filter.status, today));
    if (filter.product) conditions.push(`e.product = $${values.push(filter.product)}`);
    if (page.cursor) {
      const [orderNumber, ssrn] = decodeCursor(page.cursor);
      conditions.push(`(e.order_number, e.ssrn) > ($${values.push(orderNumber)}, $${values.push(ssrn)})`);
    }
    // The page is chosen first, from entitlements alone in index order; only its rows are then joined to their
    // order, delivery summary and activations, however many entitlements the account has.
    const rows = await this.db.query<FoundRow>(
      `WITH page AS (
         SELECT e.ssrn FROM entitlements e
         WHERE ${conditions.join(' AND ')}
         ORDER BY e.order_number, e.ssrn
         LIMIT $${values.push(page.limit + 1)}
       )
       SELECT ${ENTITLEMENT_COLUMNS}, ${STATUS(today)} AS status, o.po_number, o.end_customer, d.delivery,
         (SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.at, a.device), '[]')
            FROM activations a WHERE a.ssrn = e.ssrn) AS activation_list
       FROM page JOIN entitlements e ON e.ssrn = page.ssrn
       JOIN orders o ON o.number = e.order_number
       CROSS JOIN LATERAL (
         SELECT jsonb_build_object(
           'recipients', count(DISTINCT x.recipient), 'sent', count(*) FILTER (WHERE x.status = 'sent'),
           'pending', count(*) FILTER (WHERE x.status IN ('scheduled', 'queued', 'retrying')),
           'failed', count(*) FILTER (WHERE x.status = 'failed'),
           'bounced', count(*) FILTER (WHERE x.status = 'bounced'),
           'last_sent_at', max(x.accepted_at)) AS delivery
         FROM deliveries x WHERE x.fulfillment_id = e.fulfillment_id AND (x.ssrns IS NULL OR e.ssrn = ANY(x.ssrns))
       ) d
       ORDER BY e.order_number, e.ssrn`,
      values,
      { planPerCall: true },
    );
    const items = rows.slice(0, page.limit).map(foundFromRow);
    const last = items.at(-1);
    return { items, ...(rows.length > page.limit && last && { next: encodeCursor(last.orderNumber, last.ssrn) }) };
  }
}

function foundFromRow(r: FoundRow): EntitlementFound {
  return {
    ...entitlementFromRow(r),
    status: r.status,
    order: { number: r.order_number, ...(r.po_number && { poNumber: r.po_number }), endCustomer: r.end_customer },
    delivery: {
      recipients: r.delivery.recipients,
      sent: r.delivery.sent,
      pending: r.delivery.pending,
      failed: r.delivery.failed,
      bounced: r.delivery.bounced,
      ...(r.delivery.last_sent_at && { lastSentAt: new Date(r.delivery.last_sent_at).toISOString() }),
    },
    activations: r.activation_list.map((a) => ({
      device: a.device,
      licenseId: a.license_id,
      at: new Date(a.at).toISOString(),
      sender: a.sender,
      ...(a.message_id && { messageId: a.message_id }),
    })),
  };
}
