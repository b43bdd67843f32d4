import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, InvalidInputError } from '../../src/errors.ts';
import { acceptEvent, type IntakeDeps } from '../../src/intake/accept-event.ts';
import { ManualClock } from '../support/app.ts';
import { makeEvent, type RawEvent } from '../support/events.ts';
import {
  countRows,
  intakeDeps,
  jobIds,
  startUseCaseWorld,
  webhookEventTypes,
  type UseCaseWorld,
} from '../support/use-cases.ts';

// The intake use case called directly: real repositories on PostgreSQL, its fan-outs scheduled on a real BullMQ queue.
// FULFILLMENT_TZ is Los Angeles, and the clock is at 06:00 UTC on 2026-11-28: still the 27th there.

const TZ = 'America/Los_Angeles';
const NOW = '2026-11-28T06:00:00Z';
let world: UseCaseWorld;
let deps: IntakeDeps;

beforeAll(async () => {
  world = await startUseCaseWorld();
  deps = intakeDeps(world, new ManualClock(new Date(NOW)), TZ);
});
afterAll(() => world.close());

/** An order of two contacts shipping one line on Los Angeles' today and one on its tomorrow. */
function twoShipDates(tag: string): RawEvent {
  const e = makeEvent(tag, 2, '2026-11-27');
  const first = e.lines[0]!;
  const second = { ...first, lineNumber: '2', ssrn: `${first.ssrn}B`, activationCode: `${first.activationCode}B` };
  return { ...e, lines: [first, { ...second, shipDate: '2026-11-28' }] };
}

async function rejection<T extends Error>(promise: Promise<unknown>, type: new (...a: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

const auditOf = (order: string) => world.stores.audit.read({ order, limit: 10 });

describe('intake (acceptEvent)', () => {
  it('writes the order, its entitlements, a fulfillment per ship date and a delivery per contact, and answers with them', async () => {
    const event = twoShipDates('intake-writes');
    const order = event.salesOrder.number;
    const { replay, response } = await acceptEvent(deps, event, 'erp');
    expect(replay).toBe(false);
    const [today, tomorrow] = response.fulfillments;
    // Initial 36-month subscriptions: 30 days of grace after the term.
    expect(response.entitlements).toEqual([
      expect.objectContaining({ lineNumber: '1', startDate: '2026-11-27', endDate: '2029-12-27' }),
      expect.objectContaining({ lineNumber: '2', startDate: '2026-11-28', endDate: '2029-12-28' }),
    ]);
    // The 27th is Los Angeles' today (UTC's is the 28th): that line is queued, the 28th's waits for its date.
    expect([today!.shipDate, today!.status, tomorrow!.shipDate, tomorrow!.status]).toEqual([
      '2026-11-27',
      'queued',
      '2026-11-28',
      'scheduled',
    ]);
    const contacts = event.salesOrder.contacts.map((c) => c.email);
    expect(today!.recipients).toEqual(contacts);

    expect((await world.stores.orders.get(order))?.contacts.map((c) => c.email)).toEqual(contacts);
    expect((await world.stores.entitlements.get(event.lines[1]!.ssrn))?.endDate).toBe('2029-12-28');
    for (const f of response.fulfillments) {
      const deliveries = await world.stores.deliveries.forFulfillment(f.id);
      expect(deliveries.map((d) => [d.recipient, d.kind, d.status])).toEqual(
        contacts.map((c) => [c, 'fulfillment', f.status]),
      );
      for (const d of deliveries) expect(d.messageId).toBe(`<${d.id}@courier.example>`);
    }
    expect(await webhookEventTypes(world, order)).toEqual(['fulfillment.accepted', 'fulfillment.scheduled']);
    expect((await auditOf(order)).map((a) => [a.actor, a.action, a.outcome])).toEqual([['erp', 'intake', 'accepted']]);
  });

  it('queues one fan-out per fulfillment, due when its ship date begins in FULFILLMENT_TZ', async () => {
    const { response } = await acceptEvent(deps, twoShipDates('intake-queues'), 'erp');
    const [today, tomorrow] = response.fulfillments.map((f) => f.id);
    const now = await world.queues.fulfillment.getJob(today!);
    expect(now?.data).toEqual({ fulfillmentId: today, notBefore: '2026-11-27T08:00:00.000Z' });
    expect(now?.delay).toBe(0);
    const later = await world.queues.fulfillment.getJob(tomorrow!);
    expect(await later?.getState()).toBe('delayed');
    // Midnight of the 28th in Los Angeles (UTC-8) is 08:00 UTC: two hours after the clock's now.
    expect(later?.delay).toBe(2 * 3_600_000);
  });

  it('is idempotent: the same event again answers the first response, writes nothing, and keeps one job per fulfillment', async () => {
    const event = twoShipDates('intake-replay');
    const order = event.salesOrder.number;
    const first = await acceptEvent(deps, event, 'erp');
    const ids = first.response.fulfillments.map((f) => f.id);
    // The same content with its keys in another order is the same event.
    const reordered = { lines: event.lines, salesOrder: event.salesOrder, eventId: event.eventId };
    expect(await acceptEvent(deps, reordered, 'erp')).toEqual({ replay: true, response: first.response });
    expect(await countRows(world, 'deliveries', 'order_number = $1', [order])).toBe(4);
    expect(await webhookEventTypes(world, order)).toHaveLength(2);
    expect(await auditOf(order)).toHaveLength(1);
    expect((await jobIds(world.queues.fulfillment)).filter((id) => ids.includes(id))).toEqual([...ids].sort());

    // A fan-out job lost after the commit (Redis emptied) is queued again by the sender's retry of the event.
    await (await world.queues.fulfillment.getJob(ids[1]!))!.remove();
    await acceptEvent(deps, event, 'erp');
    expect(await world.queues.fulfillment.getJob(ids[1]!)).toBeDefined();
  });

  it('a renewal of a known SSRN starts when that entitlement ends, whatever end date the event says', async () => {
    const initial = makeEvent('intake-renewed', 1, '2026-11-27');
    await acceptEvent(deps, initial, 'erp');
    const renewal = makeEvent('intake-renewal', 1, '2026-11-27');
    Object.assign(renewal.lines[0]!, {
      purchase: 'renewal',
      termMonths: 12,
      renews: { ssrn: initial.lines[0]!.ssrn, endDate: '2030-01-01' },
    });
    const { response } = await acceptEvent(deps, renewal, 'erp');
    expect(response.entitlements[0]).toMatchObject({ startDate: '2029-12-27', endDate: '2030-12-27' });
  });

  it('refuses an invalid event naming each field, audits the refusal, and writes and queues nothing', async () => {
    const event = makeEvent('intake-invalid', 1);
    const jobsBefore = await jobIds(world.queues.fulfillment);
    const bad = { ...event, lines: [{ ...event.lines[0]!, shipDate: '2026-13-01', quantity: 0 }] };
    const error = await rejection(acceptEvent(deps, bad, 'erp'), InvalidInputError);
    expect(error.issues.map((i) => i.path).sort()).toEqual(['lines[0].quantity', 'lines[0].shipDate']);
    const unknown = { ...event, lines: [{ ...event.lines[0]!, product: 'no-such-product' }] };
    expect((await rejection(acceptEvent(deps, unknown, 'erp'), InvalidInputError)).issues).toEqual([
      { path: 'lines[0].product', message: '"no-such-product" is not in the product catalog' },
    ]);
    const order = event.salesOrder.number;
    expect((await auditOf(order)).map((a) => a.outcome)).toEqual(['rejected', 'rejected']);
    expect(await world.stores.orders.get(order)).toBeUndefined();
    expect(await countRows(world, 'events', 'event_id = $1', [event.eventId])).toBe(0);
    expect(await jobIds(world.queues.fulfillment)).toEqual(jobsBefore);
  });

  it('refuses an eventId reused with other content (ConflictError on eventId), audited, nothing changed or queued', async () => {
    const event = makeEvent('intake-conflict', 2, '2026-11-27');
    const { response } = await acceptEvent(deps, event, 'erp');
    const jobsBefore = await jobIds(world.queues.fulfillment);
    const changed = { ...event, lines: [{ ...event.lines[0]!, quantity: 5 }] };
    const error = await rejection(acceptEvent(deps, changed, 'erp'), ConflictError);
    expect(error.issues).toEqual([{ path: 'eventId', message: expect.stringContaining('different content') }]);
    expect((await auditOf(event.salesOrder.number)).map((a) => a.outcome)).toEqual(['conflict', 'accepted']);
    expect((await world.stores.entitlements.get(event.lines[0]!.ssrn))?.quantity).toBe(1);
    expect(await world.stores.deliveries.forFulfillment(response.fulfillments[0]!.id)).toHaveLength(2);
    expect(await jobIds(world.queues.fulfillment)).toEqual(jobsBefore);
  });
});
