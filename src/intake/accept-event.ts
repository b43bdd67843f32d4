import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import { buildEntitlements } from '../entitlement/build.ts';
import { startOfDayIn, todayIn } from '../entitlement/dates.ts';
import { planFulfillments } from '../entitlement/fulfillments.ts';
import { ConflictError } from '../errors.ts';
import { eventDigest } from '../event/digest.ts';
import { parseEvent, type FulfillmentEvent } from '../event/schema.ts';
import { fulfillmentDelivery } from '../delivery/identity.ts';
import type { Entitlement } from '../model.ts';
import type { AuditLog } from '../store/audit.ts';
import type { DeliveryRecord } from '../store/deliveries.ts';
import type { EntitlementStore } from '../store/entitlements.ts';
import type { IntakeStore } from '../store/intake-store.ts';
import { validateAgainstCatalog } from './validate-against-catalog.ts';
import { webhookEvent } from '../webhook-rules/events.ts';

export interface IntakeDeps {
  intakeStore: IntakeStore;
  entitlements: EntitlementStore;
  audit: AuditLog;
  catalog: Catalog;
  clock: Clock;
  timeZone: string;
  mailFromAddress: string;
  /** Queues the fan-out of one fulfillment; idempotent by fulfillment id. */
  scheduleFanOut(fulfillmentId: string, notBefore: Date): Promise<void>;
}

export interface IntakeResponse {
  eventId: string;
  orderNumber: string;
  entitlements: Array<Pick<Entitlement, 'lineNumber' | 'ssrn' | 'activationCode' | 'startDate' | 'endDate'>>;
  fulfillments: Array<{ id: string; shipDate: string; status: 'queued' | 'scheduled'; recipients: string[] }>;
}

export interface IntakeResult {
  replay: boolean;
  response: IntakeResponse;
}

/**
 * Validates an event and stores it with its entitlements, fulfillments and delivery records in one transaction,
 * then queues the fan-outs. After it returns, the event survives any worker, API or Redis crash.
 */
export async function acceptEvent(deps: IntakeDeps, input: unknown, actor: string): Promise<IntakeResult> {
  let event: FulfillmentEvent;
  try {
    event = parseEvent(input);
    validateAgainstCatalog(event, deps.catalog);
  } catch (error) {
    await deps.audit.record({
      actor,
      action: 'intake',
      outcome: 'rejected',
      ...orderOf(input),
      detail: { reason: String(error) },
    });
    throw error;
  }
  const renewed = new Map<string, string>();
  for (const line of event.lines) {
    if (line.renews?.ssrn) {
      const known = await deps.entitlements.get(line.renews.ssrn);
      if (known?.endDate) renewed.set(line.renews.ssrn, known.endDate);
    }
  }
  const entitlements = buildEntitlements(event, (ssrn) => renewed.get(ssrn));
  const fulfillments = planFulfillments(entitlements);
  const now = deps.clock.now();
  const today = todayIn(deps.timeZone, now);
  const order = { ...event.salesOrder, locale: event.salesOrder.locale ?? 'en' };

  const deliveries: DeliveryRecord[] = [];
  for (const f of fulfillments) {
    const status = f.shipDate > today ? 'scheduled' : 'queued';
    for (const contact of order.contacts) {
      deliveries.push({
        ...fulfillmentDelivery(f.id, contact, deps.mailFromAddress),
        orderNumber: order.number,
        fulfillmentId: f.id,
        kind: 'fulfillment',
        status,
        attempts: 0,
        createdAt: now.toISOString(),
      });
    }
  }

  const response: IntakeResponse = {
    eventId: event.eventId,
    orderNumber: order.number,
    entitlements: entitlements.map((e) => ({
      lineNumber: e.lineNumber,
      ssrn: e.ssrn,
      activationCode: e.activationCode,
      startDate: e.startDate,
      ...(e.endDate && { endDate: e.endDate }),
    })),
    fulfillments: fulfillments.map((f) => ({
      id: f.id,
      shipDate: f.shipDate,
      status: f.shipDate > today ? 'scheduled' : 'queued',
      recipients: order.contacts.map((c) => c.email.toLowerCase()),
    })),
  };
  const lineOf = new Map(entitlements.map((e) => [e.ssrn, { lineNumber: e.lineNumber, ssrn: e.ssrn }]));
  const events = response.fulfillments.map((f, i) =>
    webhookEvent(
      f.status === 'scheduled' ? 'fulfillment.scheduled' : 'fulfillment.accepted',
      f.id,
      {
        orderNumber: order.number,
        eventId: event.eventId,
        fulfillmentId: f.id,
        shipDate: f.shipDate,
        lines: fulfillments[i]!.ssrns.map((ssrn) => lineOf.get(ssrn)!),
        recipients: f.recipients,
      },
      now,
    ),
  );
  const result = await deps.intakeStore.create<IntakeResponse>({
    stored: { event, acceptedAt: now.toISOString(), acceptedBy: actor },
    digest: eventDigest(event),
    response,
    order,
    entitlements,
    fulfillments,
    deliveries,
    events,
  });

  if (result.outcome === 'guard-conflict') {
    await deps.audit.record({
      actor,
      action: 'intake',
      order: order.number,
      outcome: 'conflict',
      detail: { eventId: event.eventId },
    });
    throw new ConflictError('eventId was already used for a different event', [
      { path: 'eventId', message: `"${event.eventId}" was accepted before with different content` },
    ]);
  }
  if (result.outcome === 'unique-conflict') {
    const { line, field } = result;
    await deps.audit.record({
      actor,
      action: 'intake',
      order: order.number,
      outcome: 'conflict',
      detail: { eventId: event.eventId, field },
    });
    throw new ConflictError(`${field} already belongs to an existing entitlement`, [
      { path: `lines[${line}].${field}`, message: 'already belongs to an existing entitlement' },
    ]);
  }
  const accepted = result.outcome === 'created' ? response : result.response;
  // Scheduling after the commit (and again on every replay) means a crash between the two is healed by the
  // sender's retry, and by the reconciler that re-schedules every fulfillment not fanned out yet.
  for (const f of accepted.fulfillments) await deps.scheduleFanOut(f.id, startOfDayIn(f.shipDate, deps.timeZone));
  if (result.outcome === 'created') {
    await deps.audit.record({
      actor,
      action: 'intake',
      order: order.number,
      outcome: 'accepted',
      detail: { eventId: event.eventId, lines: entitlements.length },
    });
  }
  return { replay: result.outcome === 'replay', response: accepted };
}

function orderOf(input: unknown): { order?: string } {
  const n = (input as { salesOrder?: { number?: unknown } } | null)?.salesOrder?.number;
  return typeof n === 'string' && /^[A-Za-z0-9-]{1,32}$/.test(n) ? { order: n } : {};
}
