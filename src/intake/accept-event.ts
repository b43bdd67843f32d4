import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import { buildEntitlements } from '../entitlement/build.ts';
import { startOfDayIn, todayIn } from '../entitlement/dates.ts';
import { planFulfillments } from '../entitlement/fulfillments.ts';
import { ConflictError } from '../errors.ts';
import { eventDigest } from '../event/digest.ts';
import { parseEvent, type FulfillmentEvent } from '../event/schema.ts';
import { deliveryId, messageIdFor } from '../delivery/identity.ts';
import type { Entitlement } from '../model.ts';
import { atomicCreate, type Write } from '../store/atomic-create.ts';
import type { AuditLog } from '../store/audit.ts';
import { deliveryToHash, type DeliveryRecord } from '../store/deliveries.ts';
import type { RecordStore, StoredEvent, StoredFulfillment } from '../store/records.ts';
import { validateAgainstCatalog } from './validate-against-catalog.ts';

export interface IntakeDeps {
  records: RecordStore;
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
 * Validates an event and stores it with its entitlements, fulfillments and delivery records in one atomic step,
 * then queues the fan-outs. After it returns, the event survives any worker or API crash.
 */
export async function acceptEvent(deps: IntakeDeps, input: unknown, actor: string): Promise<IntakeResult> {
  let event: FulfillmentEvent;
  try {
    event = parseEvent(input);
    validateAgainstCatalog(event, deps.catalog);
  } catch (error) {
    await deps.audit.record({ actor, action: 'intake', outcome: 'rejected', ...orderOf(input), detail: { reason: String(error) } });
    throw error;
  }
  const { records } = deps;
  const { keys } = records;
  const renewed = new Map<string, string>();
  for (const line of event.lines) {
    if (line.renews?.ssrn) {
      const known = await records.entitlement(line.renews.ssrn);
      if (known?.endDate) renewed.set(line.renews.ssrn, known.endDate);
    }
  }
  const entitlements = buildEntitlements(event, (ssrn) => renewed.get(ssrn));
  const fulfillments = planFulfillments(entitlements);
  const now = deps.clock.now();
  const today = todayIn(deps.timeZone, now);
  const order = { ...event.salesOrder, locale: event.salesOrder.locale ?? 'en' };

  const writes: Write[] = [];
  const deliveryIds: string[] = [];
  const stored: StoredFulfillment[] = fulfillments.map((f) => {
    const status = f.shipDate > today ? 'scheduled' : 'queued';
    const ids = order.contacts.map((contact) => {
      const id = deliveryId(f.id, contact.email);
      const record: DeliveryRecord = {
        id, orderNumber: order.number, fulfillmentId: f.id, recipient: contact.email.toLowerCase(),
        ...(contact.name && { recipientName: contact.name }),
        kind: 'fulfillment', status, attempts: 0, messageId: messageIdFor(id, deps.mailFromAddress), createdAt: now.toISOString(),
      };
      writes.push({ op: 'hset', key: keys.delivery(id), fields: deliveryToHash(record) });
      return id;
    });
    deliveryIds.push(...ids);
    return { ...f, deliveryIds: ids };
  });

  const response: IntakeResponse = {
    eventId: event.eventId,
    orderNumber: order.number,
    entitlements: entitlements.map((e) => ({
      lineNumber: e.lineNumber, ssrn: e.ssrn, activationCode: e.activationCode, startDate: e.startDate,
      ...(e.endDate && { endDate: e.endDate }),
    })),
    fulfillments: stored.map((f) => ({
      id: f.id, shipDate: f.shipDate, status: f.shipDate > today ? 'scheduled' : 'queued', recipients: order.contacts.map((c) => c.email.toLowerCase()),
    })),
  };
  const storedEvent: StoredEvent = { event, acceptedAt: now.toISOString(), acceptedBy: actor };
  writes.push(
    { op: 'hset', key: keys.event(event.eventId), fields: ['record', JSON.stringify(storedEvent)] },
    { op: 'set', key: keys.order(order.number), value: JSON.stringify(order) },
    ...entitlements.flatMap((e): Write[] => [
      { op: 'set', key: keys.entitlement(e.ssrn), value: JSON.stringify(e) },
      { op: 'set', key: keys.activationCode(e.activationCode), value: e.ssrn },
    ]),
    { op: 'rpush', key: keys.orderEntitlements(order.number), values: entitlements.map((e) => e.ssrn) },
    ...stored.map((f): Write => ({ op: 'set', key: keys.fulfillment(f.id), value: JSON.stringify(f) })),
    { op: 'rpush', key: keys.orderFulfillments(order.number), values: stored.map((f) => f.id) },
    { op: 'rpush', key: keys.orderDeliveries(order.number), values: deliveryIds },
    { op: 'sadd', key: keys.pendingFulfillments, values: stored.map((f) => f.id) },
  );

  const unique = entitlements.flatMap((e) => [keys.entitlement(e.ssrn), keys.activationCode(e.activationCode)]);
  const result = await atomicCreate(records.redis, {
    guardKey: keys.event(event.eventId), digest: eventDigest(event), response: JSON.stringify(response), unique, writes,
  });

  if (result.outcome === 'guard-conflict') {
    await deps.audit.record({ actor, action: 'intake', order: order.number, outcome: 'conflict', detail: { eventId: event.eventId } });
    throw new ConflictError('eventId was already used for a different event', [
      { path: 'eventId', message: `"${event.eventId}" was accepted before with different content` },
    ]);
  }
  if (result.outcome === 'unique-conflict') {
    const line = Math.floor(result.index / 2);
    const field = result.index % 2 === 0 ? 'ssrn' : 'activationCode';
    await deps.audit.record({ actor, action: 'intake', order: order.number, outcome: 'conflict', detail: { eventId: event.eventId, field } });
    throw new ConflictError(`${field} already belongs to an existing entitlement`, [
      { path: `lines[${line}].${field}`, message: 'already belongs to an existing entitlement' },
    ]);
  }
  const accepted = result.outcome === 'created' ? response : (JSON.parse(result.response) as IntakeResponse);
  // Scheduling after the write (and again on every replay) means a crash between the two is healed by the
  // sender's retry, and by the start-up reconciler that re-schedules every pending fulfillment.
  for (const f of accepted.fulfillments) await deps.scheduleFanOut(f.id, startOfDayIn(f.shipDate, deps.timeZone));
  if (result.outcome === 'created') {
    await deps.audit.record({ actor, action: 'intake', order: order.number, outcome: 'accepted', detail: { eventId: event.eventId, lines: entitlements.length } });
  }
  return { replay: result.outcome === 'replay', response: accepted };
}

function orderOf(input: unknown): { order?: string } {
  const n = (input as { salesOrder?: { number?: unknown } } | null)?.salesOrder?.number;
  return typeof n === 'string' && /^[A-Za-z0-9-]{1,32}$/.test(n) ? { order: n } : {};
}
