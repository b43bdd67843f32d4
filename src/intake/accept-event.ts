import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import { buildEntitlements } from '../entitlement/build.ts';
import { startOfDayIn, todayIn } from '../entitlement/dates.ts';
import { planFulfillments } from '../entitlement/fulfillments.ts';
import { ConflictError } from '../errors.ts';
import { eventDigest } from '../event/digest.ts';
import { parseEvent, type FulfillmentEvent } from '../event/schema.ts';
import { fulfillmentDelivery } from '../delivery/identity.ts';
import type { Entitlement, Fulfillment, SalesOrder } from '../model.ts';
import type { AuditLog } from '../store/audit.ts';
import type { DeliveryRecord } from '../store/deliveries.ts';
import type { EntitlementStore } from '../store/entitlements.ts';
import type { IntakeOutcome, IntakeStore } from '../store/intake-store.ts';
import { validateAgainstCatalog } from './validate-against-catalog.ts';
import { webhookEvent, type OutboxEvent } from '../webhook-rules/events.ts';

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
 * Validates an event and stores it with its entitlements, fulfillments and delivery records in one statement,
 * then queues the fan-outs. After it returns, the event survives any worker, API or Redis crash.
 */
export async function acceptEvent(deps: IntakeDeps, input: unknown, actor: string): Promise<IntakeResult> {
  const event = await parseOrReject(deps, input, actor);
  const renewed = await renewedEndDates(deps, event);
  const entitlements = buildEntitlements(event, (ssrn) => renewed.get(ssrn));
  const fulfillments = planFulfillments(entitlements);
  const now = deps.clock.now();
  const today = todayIn(deps.timeZone, now);
  const order: SalesOrder = { ...event.salesOrder, locale: event.salesOrder.locale ?? 'en' };
  const response = intakeResponse(event, order, entitlements, fulfillments, today);
  const result = await deps.intakeStore.create<IntakeResponse>({
    stored: { event, acceptedAt: now.toISOString(), acceptedBy: actor },
    digest: eventDigest(event),
    response,
    order,
    entitlements,
    fulfillments,
    deliveries: deliveryRecords(deps.mailFromAddress, order, fulfillments, today, now),
    events: acceptanceEvents(event, response, entitlements, fulfillments, now),
    audit: {
      actor,
      action: 'intake',
      order: order.number,
      outcome: 'accepted',
      detail: { eventId: event.eventId, lines: entitlements.length },
    },
  });
  if (result.outcome === 'guard-conflict' || result.outcome === 'unique-conflict') {
    return rejectConflict(deps, result, order.number, event.eventId, actor);
  }
  const accepted = result.outcome === 'created' ? response : result.response;
  // Scheduling after the commit (and again on every replay) means a crash between the two is healed by the
  // sender's retry, and by the reconciler that re-schedules every fulfillment not fanned out yet.
  for (const f of accepted.fulfillments) await deps.scheduleFanOut(f.id, startOfDayIn(f.shipDate, deps.timeZone));
  return { replay: result.outcome === 'replay', response: accepted };
}

/** The event, checked against its schema and the catalog; a rejected one is audited before the error goes on. */
async function parseOrReject(deps: IntakeDeps, input: unknown, actor: string): Promise<FulfillmentEvent> {
  try {
    const event = parseEvent(input);
    validateAgainstCatalog(event, deps.catalog);
    return event;
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
}

/** The end dates of the known entitlements the event's lines renew, by SSRN. */
async function renewedEndDates(deps: IntakeDeps, event: FulfillmentEvent): Promise<Map<string, string>> {
  const renewed = new Map<string, string>();
  for (const line of event.lines) {
    if (line.renews?.ssrn) {
      const known = await deps.entitlements.get(line.renews.ssrn);
      if (known?.endDate) renewed.set(line.renews.ssrn, known.endDate);
    }
  }
  return renewed;
}

const statusOn = (shipDate: string, today: string) => (shipDate > today ? 'scheduled' : 'queued');

/** One delivery record per fulfillment and contact. */
function deliveryRecords(
  mailFromAddress: string,
  order: SalesOrder,
  fulfillments: Fulfillment[],
  today: string,
  now: Date,
): DeliveryRecord[] {
  return fulfillments.flatMap((f) =>
    order.contacts.map((contact): DeliveryRecord => ({
      ...fulfillmentDelivery(f.id, contact, mailFromAddress),
      orderNumber: order.number,
      fulfillmentId: f.id,
      kind: 'fulfillment',
      status: statusOn(f.shipDate, today),
      attempts: 0,
      createdAt: now.toISOString(),
    })),
  );
}

function intakeResponse(
  event: FulfillmentEvent,
  order: SalesOrder,
  entitlements: Entitlement[],
  fulfillments: Fulfillment[],
  today: string,
): IntakeResponse {
  return {
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
      status: statusOn(f.shipDate, today),
      recipients: order.contacts.map((c) => c.email.toLowerCase()),
    })),
  };
}

/** fulfillment.accepted or fulfillment.scheduled for each fulfillment, written with the acceptance. */
function acceptanceEvents(
  event: FulfillmentEvent,
  response: IntakeResponse,
  entitlements: Entitlement[],
  fulfillments: Fulfillment[],
  now: Date,
): OutboxEvent[] {
  const lineOf = new Map(entitlements.map((e) => [e.ssrn, { lineNumber: e.lineNumber, ssrn: e.ssrn }]));
  return response.fulfillments.map((f, i) =>
    webhookEvent(
      f.status === 'scheduled' ? 'fulfillment.scheduled' : 'fulfillment.accepted',
      f.id,
      {
        orderNumber: response.orderNumber,
        eventId: event.eventId,
        fulfillmentId: f.id,
        shipDate: f.shipDate,
        lines: fulfillments[i]!.ssrns.map((ssrn) => lineOf.get(ssrn)!),
        recipients: f.recipients,
      },
      now,
    ),
  );
}

/** A conflict the store found, audited and thrown as the error that names the conflicting field. */
async function rejectConflict(
  deps: IntakeDeps,
  result: Extract<IntakeOutcome<IntakeResponse>, { outcome: 'guard-conflict' | 'unique-conflict' }>,
  orderNumber: string,
  eventId: string,
  actor: string,
): Promise<never> {
  const field = result.outcome === 'unique-conflict' ? result.field : undefined;
  await deps.audit.record({
    actor,
    action: 'intake',
    order: orderNumber,
    outcome: 'conflict',
    detail: field ? { eventId, field } : { eventId },
  });
  if (result.outcome === 'guard-conflict') {
    throw new ConflictError('eventId was already used for a different event', [
      { path: 'eventId', message: `"${eventId}" was accepted before with different content` },
    ]);
  }
  throw new ConflictError(`${result.field} already belongs to an existing entitlement`, [
    { path: `lines[${result.line}].${result.field}`, message: 'already belongs to an existing entitlement' },
  ]);
}

function orderOf(input: unknown): { order?: string } {
  const n = (input as { salesOrder?: { number?: unknown } } | null)?.salesOrder?.number;
  return typeof n === 'string' && /^[A-Za-z0-9-]{1,32}$/.test(n) ? { order: n } : {};
}
