import { addDays, addMonths } from '../../src/entitlement/dates.ts';
import type { Queryable } from '../../src/store/db.ts';

// Orders and entitlements written straight into a test database (the core schema of 001), with the contract's dates.

export interface FixtureLine {
  ssrn: string;
  shipDate: string;
  termMonths?: number;
  purchase?: 'initial' | 'renewal';
  /** Renewals: the SSRN renewed and the date it ends (the renewal's start). */
  renews?: { ssrn: string; endDate: string };
  licenseType?: 'subscription' | 'perpetual';
}

export interface FixtureOrder {
  number: string;
  locale?: string;
  poNumber?: string;
  contacts: Array<{ email: string; name?: string }>;
  lines: FixtureLine[];
}

let events = 0;

/** The entitlement dates of contract section 1. */
export function fixtureDates(line: FixtureLine): { startDate: string; endDate: string | null; graceDays: number } {
  if (line.licenseType === 'perpetual') return { startDate: line.shipDate, endDate: null, graceDays: 0 };
  const term = line.termMonths ?? 12;
  if (line.renews)
    return { startDate: line.renews.endDate, endDate: addMonths(line.renews.endDate, term), graceDays: 0 };
  return { startDate: line.shipDate, endDate: addDays(addMonths(line.shipDate, term), 30), graceDays: 30 };
}

/** Writes an order (once), its contacts, and one event and fulfillment with the given lines. */
export async function insertOrder(db: Queryable, o: FixtureOrder): Promise<void> {
  const eventId = `ev-${o.number}-${++events}-${process.pid}`;
  const at = new Date().toISOString();
  await db.query(
    `INSERT INTO orders (number, po_number, end_customer, locale, record, updated_at) VALUES ($1, $2, $3, $4, '{}', $5) ON CONFLICT DO NOTHING`,
    [o.number, o.poNumber ?? null, JSON.stringify({ name: `End customer of ${o.number}` }), o.locale ?? 'en', at],
  );
  for (const c of o.contacts) {
    await db.query('INSERT INTO contacts (order_number, email, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      o.number,
      c.email.toLowerCase(),
      c.name ?? null,
    ]);
  }
  await db.query(
    `INSERT INTO events (event_id, digest, record, response, accepted_at, accepted_by) VALUES ($1, 'd', '{}', '{}', $2, 'test')`,
    [eventId, at],
  );
  const fulfillmentId = `f-${eventId}`;
  await db.query(
    'INSERT INTO fulfillments (id, event_id, order_number, ship_date, certificate_number, ssrns, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [fulfillmentId, eventId, o.number, o.lines[0]!.shipDate, `C-${eventId}`, o.lines.map((l) => l.ssrn), at],
  );
  for (const [i, line] of o.lines.entries()) {
    const d = fixtureDates(line);
    await db.query(
      `INSERT INTO entitlements (ssrn, activation_code, order_number, event_id, fulfillment_id, position, line_number, sku, product, license_name,
         description, quantity, license_type, purchase, term_months, renews_ssrn, ship_date, start_date, end_date, grace_days)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'S-EX-A-C1-1', 'ex', $8, 'EX Series Advanced', 1, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        line.ssrn,
        `code-${line.ssrn}`,
        o.number,
        eventId,
        fulfillmentId,
        i,
        String(i + 1),
        `License ${line.ssrn}`,
        line.licenseType ?? 'subscription',
        line.renews ? 'renewal' : (line.purchase ?? 'initial'),
        line.licenseType === 'perpetual' ? null : (line.termMonths ?? 12),
        line.renews?.ssrn ?? null,
        line.shipDate,
        d.startDate,
        d.endDate,
        d.graceDays,
      ],
    );
  }
}

/** An order of insertDueOrders: its one subscription and its two contacts (in the order notices are planned). */
export interface DueOrder {
  number: string;
  ssrn: string;
  contacts: [string, string];
}

/**
 * `count` orders, each with one initial 12-month subscription whose 30-day reminder falls due on `today`, two contacts
 * and a fulfillment already shipped; in a few statements, for sweeps over thousands. Numbers sort in creation order.
 */
export async function insertDueOrders(db: Queryable, count: number, today: string, tag: string): Promise<DueOrder[]> {
  const paidEnd = addDays(today, 30);
  const shipDate = addMonths(paidEnd, -12);
  const at = new Date().toISOString();
  const orders = Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(6, '0');
    return {
      number: `${tag}${n}`,
      ssrn: `SSRN${tag}${n}`,
      contacts: [`a.${n}@${tag.toLowerCase()}.example`, `b.${n}@${tag.toLowerCase()}.example`],
    };
  }) as DueOrder[];
  const column = <T>(f: (o: DueOrder) => T) => orders.map(f);
  await db.query(
    `WITH o AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS o(number, ssrn, a, b)),
     ev AS (INSERT INTO events (event_id, digest, record, response, accepted_at, accepted_by)
       SELECT 'ev-' || number, 'd', '{}', '{}', $6, 'test' FROM o),
     ord AS (INSERT INTO orders (number, end_customer, locale, record, updated_at)
       SELECT number, jsonb_build_object('name', 'End customer of ' || number), 'en', '{}', $6 FROM o),
     con AS (INSERT INTO contacts (order_number, email) SELECT number, a FROM o UNION ALL SELECT number, b FROM o)
     INSERT INTO fulfillments
       (id, event_id, order_number, ship_date, certificate_number, ssrns, created_at, fanned_out_at)
       SELECT 'f-' || number, 'ev-' || number, number, $5, 'C-' || number, ARRAY[ssrn], $6, $6 FROM o`,
    [
      column((o) => o.number),
      column((o) => o.ssrn),
      column((o) => o.contacts[0]),
      column((o) => o.contacts[1]),
      shipDate,
      at,
    ],
  );
  await db.query(
    `INSERT INTO entitlements (ssrn, activation_code, order_number, event_id, fulfillment_id, position, line_number,
       sku, product, license_name, description, quantity, license_type, purchase, term_months, ship_date, start_date,
       end_date, grace_days)
     SELECT ssrn, 'code-' || ssrn, number, 'ev-' || number, 'f-' || number, 0, '1', 'S-EX-A-C1-1', 'ex',
       'License ' || ssrn, 'EX Series Advanced', 1, 'subscription', 'initial', 12, $3, $3, $4::date + 30, 30
     FROM unnest($1::text[], $2::text[]) AS o(number, ssrn)`,
    [column((o) => o.number), column((o) => o.ssrn), shipDate, paidEnd],
  );
  return orders;
}
