import type { RecipientDelivery, UnreachedRecipient } from '../delivery-rules/undeliverable.ts';
import type { Db, Queryable } from './db.ts';

export interface FulfillmentReach {
  orderNumber: string;
  lines: Array<{ lineNumber: string; ssrn: string }>;
  deliveries: RecipientDelivery[];
}

export interface UndeliverableFulfillment {
  fulfillmentId: string;
  orderNumber: string;
  recipients: UnreachedRecipient[];
  detectedAt: string;
}

/** Fulfillments that reached nobody, and whether support has been told. */
export class UndeliverableFulfillments {
  constructor(private readonly db: Db) {}

  /**
   * Locks the fulfillment, then reads its lines and every delivery. The lock makes the last failures of two recipients
   * (in two transactions at once) judged one after the other, so the second sees the first and none is missed.
   */
  async lockAndRead(tx: Queryable, fulfillmentId: string): Promise<FulfillmentReach | undefined> {
    const [f] = await tx.query<{ orderNumber: string }>(
      'SELECT order_number AS "orderNumber" FROM fulfillments WHERE id = $1 FOR UPDATE',
      [fulfillmentId],
    );
    if (!f) return undefined;
    const lines = await this.lines(tx, fulfillmentId);
    const deliveries = await tx.query<RecipientDelivery>(
      `SELECT recipient, status, last_error AS "lastError", created_at AS "createdAt"
       FROM deliveries WHERE fulfillment_id = $1`,
      [fulfillmentId],
    );
    return { orderNumber: f.orderNumber, lines, deliveries };
  }

  /** The lines of a fulfillment, or only those of `ssrns` (a resend of chosen lines), in line order. */
  async lines(
    q: Queryable,
    fulfillmentId: string,
    ssrns?: string[],
  ): Promise<Array<{ lineNumber: string; ssrn: string }>> {
    return q.query(
      `SELECT line_number AS "lineNumber", ssrn FROM entitlements
       WHERE fulfillment_id = $1 AND ($2::text[] IS NULL OR ssrn = ANY ($2)) ORDER BY position`,
      [fulfillmentId, ssrns ?? null],
    );
  }

  /** True only for the first call per fulfillment. */
  async mark(
    tx: Queryable,
    fulfillmentId: string,
    orderNumber: string,
    recipients: UnreachedRecipient[],
    at: Date,
  ): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO undeliverable_fulfillments (fulfillment_id, order_number, recipients, detected_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (fulfillment_id) DO NOTHING RETURNING fulfillment_id`,
      [fulfillmentId, orderNumber, JSON.stringify(recipients), at.toISOString()],
    );
    return rows.length > 0;
  }

  /** One fulfillment support has not been told about, locked for `tx` (other processes skip it). */
  async nextToNotify(tx: Queryable): Promise<UndeliverableFulfillment | undefined> {
    return (
      await tx.query<UndeliverableFulfillment>(
        `SELECT fulfillment_id AS "fulfillmentId", order_number AS "orderNumber", recipients,
                detected_at AS "detectedAt"
         FROM undeliverable_fulfillments WHERE notified_at IS NULL ORDER BY detected_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      )
    )[0];
  }

  async markNotified(tx: Queryable, fulfillmentId: string, at: Date): Promise<void> {
    await tx.query('UPDATE undeliverable_fulfillments SET notified_at = $2 WHERE fulfillment_id = $1', [
      fulfillmentId,
      at.toISOString(),
    ]);
  }

  async forOrder(orderNumber: string): Promise<Array<UndeliverableFulfillment & { notifiedAt: string | null }>> {
    return this.db.query(
      `SELECT fulfillment_id AS "fulfillmentId", order_number AS "orderNumber", recipients,
              detected_at AS "detectedAt", notified_at AS "notifiedAt"
       FROM undeliverable_fulfillments WHERE order_number = $1 ORDER BY detected_at`,
      [orderNumber],
    );
  }
}
