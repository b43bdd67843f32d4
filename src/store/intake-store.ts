import type { Entitlement, Fulfillment, SalesOrder } from '../model.ts';
import type { Db } from './db.ts';
import { insertDeliveries, type DeliveryRecord } from './deliveries.ts';
import { insertEntitlements } from './entitlements.ts';
import { insertFulfillments, type StoredEvent } from './fulfillments.ts';
import { upsertOrder } from './orders.ts';
import { recordWebhookEvent } from './webhook-outbox.ts';
import type { OutboxEvent } from '../webhook-rules/events.ts';

/** Everything one accepted event creates. */
export interface IntakeWrite {
  stored: StoredEvent;
  digest: string;
  /** Intake's answer, replayed as it is for a repeat of the same event. */
  response: unknown;
  order: SalesOrder;
  entitlements: Entitlement[];
  fulfillments: Fulfillment[];
  deliveries: DeliveryRecord[];
  /** The webhook events of the acceptance (fulfillment.accepted or .scheduled), written with it. */
  events: OutboxEvent[];
}

export type IntakeOutcome<R> =
  | { outcome: 'created' }
  | { outcome: 'replay'; response: R }
  | { outcome: 'guard-conflict' }
  | { outcome: 'unique-conflict'; line: number; field: 'ssrn' | 'activationCode' };

const UNIQUE_VIOLATION = '23505';

class Clash extends Error {}

/**
 * Intake's one transaction: the idempotency record, the order with its accounts and contacts, the entitlements,
 * fulfillments and deliveries are all stored, or nothing is. The unique constraints on SSRN and Activation Code decide
 * a clash, also between two events racing for the same code.
 */
export class IntakeStore {
  constructor(private readonly db: Db) {}

  async create<R>(w: IntakeWrite): Promise<IntakeOutcome<R>> {
    // A clash whose owner rolled back before we could name it: the write is simply tried again.
    for (let round = 0; ; round++) {
      try {
        return await this.tryCreate<R>(w);
      } catch (error) {
        if (!(error instanceof Clash) && (error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
        const clash = await this.findClash(w.entitlements);
        if (clash) return { outcome: 'unique-conflict', ...clash };
        if (round >= 2) throw error;
      }
    }
  }

  private tryCreate<R>(w: IntakeWrite): Promise<IntakeOutcome<R>> {
    const { event, acceptedAt, acceptedBy } = w.stored;
    return this.db.transaction(async (tx) => {
      // A concurrent insert of the same eventId waits here for the other transaction, then sees its row.
      const created = await tx.query(
        `INSERT INTO events (event_id, digest, record, response, accepted_at, accepted_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (event_id) DO NOTHING RETURNING 1`,
        [event.eventId, w.digest, JSON.stringify(event), JSON.stringify(w.response), acceptedAt, acceptedBy],
      );
      if (created.length === 0) {
        const [prior] = await tx.query<{ digest: string; response: R }>(
          'SELECT digest, response FROM events WHERE event_id = $1',
          [event.eventId],
        );
        return prior!.digest === w.digest
          ? { outcome: 'replay', response: prior!.response }
          : { outcome: 'guard-conflict' };
      }
      // Checked first so that the usual clash (a code sent again) costs no failed insert; the constraints still decide
      // races.
      const [taken] = await tx.query(
        'SELECT 1 FROM entitlements WHERE ssrn = ANY($1::text[]) OR activation_code = ANY($2::text[]) LIMIT 1',
        [w.entitlements.map((e) => e.ssrn), w.entitlements.map((e) => e.activationCode)],
      );
      if (taken) throw new Clash();
      await upsertOrder(tx, w.order, acceptedAt);
      await insertFulfillments(tx, w.fulfillments, acceptedAt);
      const fulfillmentOf = new Map(w.fulfillments.flatMap((f) => f.ssrns.map((s) => [s, f.id] as const)));
      await insertEntitlements(
        tx,
        w.entitlements.map((entitlement, position) => ({
          entitlement,
          position,
          fulfillmentId: fulfillmentOf.get(entitlement.ssrn)!,
        })),
      );
      await insertDeliveries(tx, w.deliveries);
      for (const event of w.events) await recordWebhookEvent(tx, event);
      return { outcome: 'created' };
    });
  }

  /** The first line, in line order, whose SSRN (checked first) or Activation Code another entitlement holds. */
  private async findClash(
    entitlements: Entitlement[],
  ): Promise<{ line: number; field: 'ssrn' | 'activationCode' } | undefined> {
    const rows = await this.db.query<{ ssrn: string; activation_code: string }>(
      `SELECT ssrn, activation_code FROM entitlements
       WHERE ssrn = ANY($1::text[]) OR activation_code = ANY($2::text[])`,
      [entitlements.map((e) => e.ssrn), entitlements.map((e) => e.activationCode)],
    );
    const ssrns = new Set(rows.map((r) => r.ssrn));
    const codes = new Set(rows.map((r) => r.activation_code));
    for (const [line, e] of entitlements.entries()) {
      if (ssrns.has(e.ssrn)) return { line, field: 'ssrn' };
      if (codes.has(e.activationCode)) return { line, field: 'activationCode' };
    }
    return undefined;
  }
}
