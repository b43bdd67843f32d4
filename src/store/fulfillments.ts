import type { FulfillmentEvent } from '../event/schema.ts';
import type { Entitlement, Fulfillment } from '../model.ts';
import type { Db } from './db.ts';
import { queueScheduled } from './deliveries.ts';
import { combined, type Statement } from './statement.ts';
import { ENTITLEMENT_COLUMNS, entitlementFromRow, type EntitlementRow } from './entitlements.ts';

export interface StoredFulfillment extends Fulfillment {
  fannedOutAt?: string;
}

export interface StoredEvent {
  event: FulfillmentEvent;
  acceptedAt: string;
  acceptedBy: string;
}

/** What a fulfillment's document is built from, besides the fulfillment itself. */
export interface DocumentRecords {
  /** Absent when the event's record is gone. */
  stored?: StoredEvent;
  entitlements: Entitlement[];
}

/** A fulfillment as `FulfillmentStore.shipment` reads it. */
export interface Shipment extends DocumentRecords {
  fulfillment: StoredFulfillment;
  /** The certificate bytes first sent; absent until stored. */
  certificate?: Buffer;
  /** Its first deliveries (one per contact, not resends) still to be sent by a fan-out's job, in the order created. */
  openDeliveries: Array<{ id: string; status: 'scheduled' | 'queued' }>;
}

interface FulfillmentRow {
  id: string;
  event_id: string;
  order_number: string;
  ship_date: string;
  certificate_number: string;
  ssrns: string[];
  fanned_out_at: string | null;
}

const COLUMNS = 'f.id, f.event_id, f.order_number, f.ship_date, f.certificate_number, f.ssrns, f.fanned_out_at';

function fromRow(r: FulfillmentRow): StoredFulfillment {
  return {
    id: r.id,
    eventId: r.event_id,
    orderNumber: r.order_number,
    shipDate: r.ship_date,
    certificateNumber: r.certificate_number,
    ssrns: r.ssrns,
    ...(r.fanned_out_at && { fannedOutAt: r.fanned_out_at }),
  };
}

export function insertFulfillments(fulfillments: Fulfillment[], createdAt: string): Statement | undefined {
  if (fulfillments.length === 0) return undefined;
  return {
    text: `INSERT INTO fulfillments (id, event_id, order_number, ship_date, certificate_number, ssrns, created_at)
     SELECT id, event_id, order_number, ship_date, certificate_number,
            ARRAY(SELECT jsonb_array_elements_text(ssrns)), $2
       FROM jsonb_to_recordset($1::jsonb)
         AS x(id text, event_id text, order_number text, ship_date date, certificate_number text, ssrns jsonb)`,
    values: [
      JSON.stringify(
        fulfillments.map((f) => ({
          id: f.id,
          event_id: f.eventId,
          order_number: f.orderNumber,
          ship_date: f.shipDate,
          certificate_number: f.certificateNumber,
          ssrns: f.ssrns,
        })),
      ),
      createdAt,
    ],
  };
}

function certificateInsert(fulfillmentId: string, pdf: Buffer): Statement {
  return {
    text: `INSERT INTO certificates (fulfillment_id, pdf, created_at) VALUES ($1, $2, now())
     ON CONFLICT (fulfillment_id) DO NOTHING RETURNING 1`,
    values: [fulfillmentId, pdf],
  };
}

/** Fulfillments, the event each came from, and the certificate bytes first sent. */
export class FulfillmentStore {
  constructor(private readonly db: Db) {}

  /** By ship date, in the order accepted. */
  async forOrder(orderNumber: string): Promise<StoredFulfillment[]> {
    const rows = await this.db.query<FulfillmentRow>(
      `SELECT ${COLUMNS} FROM fulfillments f WHERE f.order_number = $1 ORDER BY f.created_at, f.ship_date`,
      [orderNumber],
    );
    return rows.map(fromRow);
  }

  /**
   * A fulfillment with everything its messages are made from, in one query: the event it came from, the entitlements
   * of its lines in its order, and the certificate bytes first sent (absent until stored). What a fan-out starts from,
   * and what a worker loads to send a fulfillment it did not fan out itself.
   */
  async shipment(id: string): Promise<Shipment | undefined> {
    const [row] = await this.db.query<
      FulfillmentRow & {
        pdf: Buffer | null;
        record: FulfillmentEvent | null;
        accepted_at: string | null;
        accepted_by: string | null;
        entitlements: EntitlementRow[];
        open_deliveries: Shipment['openDeliveries'];
      }
    >(
      `SELECT ${COLUMNS}, c.pdf, ev.record, ev.accepted_at, ev.accepted_by,
         (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.n), '[]')
            FROM (SELECT ${ENTITLEMENT_COLUMNS}, s.n FROM unnest(f.ssrns) WITH ORDINALITY AS s(ssrn, n)
                  JOIN entitlements e ON e.ssrn = s.ssrn) x) AS entitlements,
         (SELECT coalesce(
                   jsonb_agg(jsonb_build_object('id', d.id, 'status', d.status) ORDER BY d.created_at, d.seq), '[]')
            FROM deliveries d
            WHERE d.fulfillment_id = f.id AND d.kind = 'fulfillment' AND d.status IN ('scheduled', 'queued'))
           AS open_deliveries
       FROM fulfillments f
       LEFT JOIN certificates c ON c.fulfillment_id = f.id
       LEFT JOIN events ev ON ev.event_id = f.event_id
       WHERE f.id = $1`,
      [id],
    );
    if (!row) return undefined;
    return {
      fulfillment: fromRow(row),
      ...(row.pdf && { certificate: row.pdf }),
      ...(row.record && { stored: { event: row.record, acceptedAt: row.accepted_at!, acceptedBy: row.accepted_by! } }),
      entitlements: row.entitlements.map(entitlementFromRow),
      openDeliveries: row.open_deliveries,
    };
  }

  async certificate(fulfillmentId: string): Promise<Buffer | undefined> {
    const [row] = await this.db.query<{ pdf: Buffer }>('SELECT pdf FROM certificates WHERE fulfillment_id = $1', [
      fulfillmentId,
    ]);
    return row?.pdf;
  }

  /** Stores the first rendering only: every later reader gets the bytes that were attached first. */
  async saveCertificate(fulfillmentId: string, pdf: Buffer): Promise<Buffer> {
    const { text, values } = certificateInsert(fulfillmentId, pdf);
    return this.firstStored(fulfillmentId, pdf, (await this.db.query(text, values)).length > 0);
  }

  /** The bytes a reader gets: `pdf` where this call stored it, else the rendering another stored before it. */
  private async firstStored(fulfillmentId: string, pdf: Buffer, inserted: boolean): Promise<Buffer> {
    return inserted ? pdf : ((await this.certificate(fulfillmentId)) ?? pdf);
  }

  /**
   * A fan-out's writes, in one statement: the certificate it rendered (the first rendering stays, as in
   * `saveCertificate`; the bytes stored are returned), its scheduled deliveries queued, and the fulfillment marked
   * fanned out (the first time is kept). The sends are queued after this commits; should that fail, the reconciler
   * queues the open deliveries of fanned-out fulfillments (DeliveryStore.unsent).
   */
  async markFannedOut(
    id: string,
    done: { certificate?: Buffer; scheduled: string[]; at: Date },
  ): Promise<Buffer | undefined> {
    const at = done.at.toISOString();
    const fannedOut: Statement = {
      text: 'UPDATE fulfillments SET fanned_out_at = $2 WHERE id = $1 AND fanned_out_at IS NULL',
      values: [id, at],
    };
    const parts = [done.certificate && certificateInsert(id, done.certificate), queueScheduled(done.scheduled, at)];
    // The certificate's insert, when there is one, is the first part (w0): did it store these bytes?
    const { text, values } = combined(
      [...parts.filter((p): p is Statement => p !== undefined), fannedOut],
      done.certificate && 'SELECT EXISTS (SELECT FROM w0) AS inserted',
    );
    const [row] = await this.db.query<{ inserted?: boolean }>(text, values);
    return done.certificate && this.firstStored(id, done.certificate, row?.inserted === true);
  }

  /**
   * Fulfillments accepted but not fanned out yet (of `among`, when given), with their ship dates: what the reconciler
   * re-schedules.
   */
  async notFannedOut(limit: number, among?: string[]): Promise<Array<{ id: string; shipDate: string }>> {
    const rows = await this.db.query<{ id: string; ship_date: string }>(
      `SELECT id, ship_date FROM fulfillments
       WHERE fanned_out_at IS NULL AND ($2::text[] IS NULL OR id = ANY ($2::text[]))
       ORDER BY ship_date LIMIT $1`,
      [limit, among ?? null],
      { planPerCall: true },
    );
    return rows.map((r) => ({ id: r.id, shipDate: r.ship_date }));
  }
}
