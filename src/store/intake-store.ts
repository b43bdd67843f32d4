import type { Entitlement, Fulfillment, SalesOrder } from '../model.ts';
import { isUniqueViolation, type Db } from './db.ts';
import { insertDeliveries, type DeliveryRecord } from './deliveries.ts';
import { insertEntitlements } from './entitlements.ts';
import { insertFulfillments, type StoredEvent } from './fulfillments.ts';
import { upsertOrder } from './orders.ts';
import { outboxInsert } from './webhook-outbox.ts';
import { auditInsert, type AuditEntry } from './audit.ts';
import { runCombined, type Statement } from './statement.ts';
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
  /** The audit line of the acceptance, written with it. */
  audit: AuditEntry;
}

export type IntakeOutcome<R> =
  | { outcome: 'created' }
  | { outcome: 'replay'; response: R }
  | { outcome: 'guard-conflict' }
  | { outcome: 'unique-conflict'; line: number; field: 'ssrn' | 'activationCode' };

/**
 * Everything an accepted event writes, as one statement. The unique constraints decide: an eventId seen before, an
 * SSRN or an Activation Code taken, also by a racing request, fail the whole statement and nothing is written.
 */
function intakeStatements(w: IntakeWrite): Array<Statement | undefined> {
  const { event, acceptedAt, acceptedBy } = w.stored;
  const fulfillmentOf = new Map(w.fulfillments.flatMap((f) => f.ssrns.map((s) => [s, f.id] as const)));
  return [
    {
      text: `INSERT INTO events (event_id, digest, record, response, accepted_at, accepted_by)
             VALUES ($1, $2, $3, $4, $5, $6)`,
      values: [event.eventId, w.digest, JSON.stringify(event), JSON.stringify(w.response), acceptedAt, acceptedBy],
    },
    ...upsertOrder(w.order, acceptedAt),
    insertFulfillments(w.fulfillments, acceptedAt),
    insertEntitlements(
      w.entitlements.map((entitlement, position) => ({
        entitlement,
        position,
        fulfillmentId: fulfillmentOf.get(entitlement.ssrn)!,
      })),
    ),
    insertDeliveries(w.deliveries),
    outboxInsert(w.events),
    auditInsert(w.audit),
  ];
}

/**
 * Intake's one write: the idempotency record, the order with its accounts and contacts, the entitlements,
 * fulfillments, deliveries, webhook events and the audit line are all stored, or nothing is.
 */
export class IntakeStore {
  constructor(private readonly db: Db) {}

  async create<R>(w: IntakeWrite): Promise<IntakeOutcome<R>> {
    // A clash whose owner rolled back before we could name it: the write is simply tried again.
    for (let round = 0; ; round++) {
      try {
        await runCombined(this.db, intakeStatements(w));
        return { outcome: 'created' };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // The same eventId accepted before (or by a racing request that committed first): its answer is replayed.
        const prior = await this.prior<R>(w.stored.event.eventId);
        if (prior)
          return prior.digest === w.digest
            ? { outcome: 'replay', response: prior.response }
            : { outcome: 'guard-conflict' };
        const clash = await this.findClash(w.entitlements);
        if (clash) return { outcome: 'unique-conflict', ...clash };
        if (round >= 2) throw error;
      }
    }
  }

  private async prior<R>(eventId: string): Promise<{ digest: string; response: R } | undefined> {
    const [row] = await this.db.query<{ digest: string; response: R }>(
      'SELECT digest, response FROM events WHERE event_id = $1',
      [eventId],
    );
    return row;
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
