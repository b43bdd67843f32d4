import type { Entitlement } from '../model.ts';
import type { Queryable } from './db.ts';
import type { Statement } from './statement.ts';

/** The columns an Entitlement is read from, in the order `entitlementFromRow` expects them named. */
export const ENTITLEMENT_COLUMNS = `e.ssrn, e.activation_code, e.order_number, e.event_id, e.line_number, e.sku,
  e.product, e.license_name, e.description, e.quantity, e.license_type, e.purchase, e.term_months, e.renews_ssrn,
  e.ship_date, e.start_date, e.end_date, e.grace_days, e.devices`;

export interface EntitlementRow {
  ssrn: string;
  activation_code: string;
  order_number: string;
  event_id: string;
  line_number: string;
  sku: string;
  product: string;
  license_name: string;
  description: string;
  quantity: number;
  license_type: Entitlement['licenseType'];
  purchase: Entitlement['purchase'];
  term_months: number | null;
  renews_ssrn: string | null;
  ship_date: string;
  start_date: string;
  end_date: string | null;
  grace_days: number;
  devices: string[];
}

export function entitlementFromRow(r: EntitlementRow): Entitlement {
  return {
    orderNumber: r.order_number,
    eventId: r.event_id,
    lineNumber: r.line_number,
    sku: r.sku,
    product: r.product,
    licenseName: r.license_name,
    description: r.description,
    quantity: r.quantity,
    licenseType: r.license_type,
    purchase: r.purchase,
    ...(r.term_months !== null && { termMonths: r.term_months }),
    ...(r.renews_ssrn !== null && { renewsSsrn: r.renews_ssrn }),
    activationCode: r.activation_code,
    ssrn: r.ssrn,
    shipDate: r.ship_date,
    startDate: r.start_date,
    ...(r.end_date !== null && { endDate: r.end_date }),
    graceDays: r.grace_days,
    devices: r.devices,
  };
}

/**
 * The statement that inserts the entitlements of one event; a clash of SSRN or Activation Code fails on the unique
 * constraints.
 */
export function insertEntitlements(
  rows: Array<{ entitlement: Entitlement; fulfillmentId: string; position: number }>,
): Statement | undefined {
  if (rows.length === 0) return undefined;
  return {
    text: `INSERT INTO entitlements (ssrn, activation_code, order_number, event_id, fulfillment_id, position,
       line_number, sku, product, license_name, description, quantity, license_type, purchase, term_months,
       renews_ssrn, ship_date, start_date, end_date, grace_days, devices)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(ssrn text, activation_code text, order_number text, event_id text,
       fulfillment_id text, position integer, line_number text, sku text, product text, license_name text,
       description text, quantity integer, license_type text, purchase text, term_months integer, renews_ssrn text,
       ship_date date, start_date date, end_date date, grace_days integer, devices jsonb)`,
    values: [
      JSON.stringify(
        rows.map(({ entitlement: e, fulfillmentId, position }) => ({
          ssrn: e.ssrn,
          activation_code: e.activationCode,
          order_number: e.orderNumber,
          event_id: e.eventId,
          fulfillment_id: fulfillmentId,
          position,
          line_number: e.lineNumber,
          sku: e.sku,
          product: e.product,
          license_name: e.licenseName,
          description: e.description,
          quantity: e.quantity,
          license_type: e.licenseType,
          purchase: e.purchase,
          term_months: e.termMonths ?? null,
          renews_ssrn: e.renewsSsrn ?? null,
          ship_date: e.shipDate,
          start_date: e.startDate,
          end_date: e.endDate ?? null,
          grace_days: e.graceDays,
          devices: e.devices,
        })),
      ),
    ],
  };
}

/** Entitlements by SSRN, Activation Code or order. */
export class EntitlementStore {
  constructor(private readonly db: Queryable) {}

  private async select(where: string, params: unknown[]): Promise<Entitlement[]> {
    const rows = await this.db.query<EntitlementRow>(
      `SELECT ${ENTITLEMENT_COLUMNS} FROM entitlements e WHERE ${where}`,
      params,
    );
    return rows.map(entitlementFromRow);
  }

  async get(ssrn: string): Promise<Entitlement | undefined> {
    return (await this.select('e.ssrn = $1', [ssrn]))[0];
  }

  async byCode(code: string): Promise<Entitlement | undefined> {
    return (await this.select('e.activation_code = $1', [code]))[0];
  }

  /** In the order accepted: event by event, each in line order. */
  forOrder(orderNumber: string): Promise<Entitlement[]> {
    return this.select(
      `e.order_number = $1
       ORDER BY (SELECT ev.accepted_at FROM events ev WHERE ev.event_id = e.event_id), e.event_id, e.position`,
      [orderNumber],
    );
  }
}
