import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueSends } from '../../queues/send.queue.ts';
import type { Role } from '../../src/config.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, RateLimitedError } from '../../src/errors.ts';
import { RateWindow } from '../../src/store/redis-rate-window.ts';
import { resend, type ResendDeps } from '../../src/support/resend.ts';
import { ManualClock } from './app.ts';
import { makeEvent, type RawEvent } from './events.ts';
import {
  countRows,
  jobIds,
  MAIL_FROM_ADDRESS,
  SEND_RETRY,
  shippedOrder,
  startUseCaseWorld,
  type UseCaseWorld,
} from './use-cases.ts';

// The resend use case called directly: real repositories on PostgreSQL, the per-order rate window on real Redis, its
// send jobs queued on a real BullMQ queue.

const PER_HOUR = 3;
const clock = { now: () => new Date('2026-11-28T10:00:00Z') };
const support = { name: 'support-token-1', role: 'support' as Role };
const admin = { name: 'admin-token-1', role: 'admin' as Role };
let world: UseCaseWorld;
let deps: ResendDeps;

beforeAll(async () => {
  world = await startUseCaseWorld();
  deps = {
    ...world.stores,
    resendRate: new RateWindow(world.redis, world.keys.resendWindow, 3600),
    clock,
    mailFromAddress: MAIL_FROM_ADDRESS,
    allowedDomains: ['procurement.example'],
    sharedDomains: [],
    perOrderPerHour: PER_HOUR,
    enqueueSends: (ids) => enqueueSends(world.queues.send, ids, SEND_RETRY),
  };
});
afterAll(() => world.close());

/**
 * An order with a contact at `tag`.example and one at gmail.com; line 1 shipped today, line 2 too unless
 * `laterLine2`, when it ships next year and has not been delivered.
 */
async function order(tag: string, options: { laterLine2?: boolean } = {}): Promise<RawEvent> {
  const event = makeEvent(tag, 2, '2026-11-28');
  event.salesOrder.contacts = [{ email: `buyer@${tag}.example`, name: 'Buyer' }, { email: `${tag}@gmail.com` }];
  const first = event.lines[0]!;
  const second = { ...first, lineNumber: '2', ssrn: `${first.ssrn}B`, activationCode: `${first.activationCode}B` };
  event.lines.push({ ...second, shipDate: options.laterLine2 ? '2027-01-15' : first.shipDate });
  await shippedOrder(world, clock, event);
  return event;
}

async function refusal<T extends Error>(promise: Promise<unknown>, type: new (...a: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

const resends = (number: string) => countRows(world, 'deliveries', "order_number = $1 AND kind = 'resend'", [number]);

describe('resend', () => {
  it('resends the whole order to its contacts: new deliveries, a send job each, audited; each call a new resend', async () => {
    const event = await order('resend-all');
    const number = event.salesOrder.number;
    const { resendId, deliveries } = await resend(deps, number, { reason: 'never arrived' }, support);
    expect(deliveries.map((d) => d.recipient)).toEqual(event.salesOrder.contacts.map((c) => c.email));
    for (const d of deliveries) {
      expect(d).toMatchObject({
        orderNumber: number,
        kind: 'resend',
        resendId,
        reason: 'never arrived',
        requestedBy: 'support-token-1',
        status: 'queued',
        attempts: 0,
        messageId: `<${d.id}@courier.example>`,
        queuedAt: '2026-11-28T10:00:00.000Z',
      });
      expect(d.ssrns).toBeUndefined();
      expect(await world.stores.deliveries.get(d.id)).toMatchObject({ kind: 'resend', status: 'queued', resendId });
    }
    expect(await jobIds(world.queues.send)).toEqual(expect.arrayContaining(deliveries.map((d) => d.id)));
    const [entry] = await world.stores.audit.read({ order: number, limit: 1 });
    expect(entry).toMatchObject({
      actor: 'support-token-1',
      action: 'resend',
      outcome: 'queued',
      detail: { resendId, reason: 'never arrived', lines: ['1', '2'], deliveries: 2 },
    });

    // Not idempotent by design: asked again, it is sent again, under new ids and Message-IDs.
    const again = await resend(deps, number, { reason: 'never arrived' }, support);
    expect(again.resendId).not.toBe(resendId);
    const ids = new Set([...deliveries, ...again.deliveries].map((d) => d.messageId));
    expect(ids.size).toBe(4);
    expect(await resends(number)).toBe(4);
  });

  it("resends chosen lines to a corrected address on the order's domain: the deliveries list only those lines", async () => {
    const event = await order('resend-lines');
    const { deliveries } = await resend(
      deps,
      event.salesOrder.number,
      { lines: ['2'], to: ['Procurement@Resend-Lines.example'], reason: 'new procurement address' },
      support,
    );
    expect(deliveries.map((d) => [d.recipient, d.ssrns])).toEqual([
      ['procurement@resend-lines.example', [event.lines[1]!.ssrn]],
    ]);
  });

  it("sends outside the order only to an allowed domain, or for an admin; a public mail domain is nobody's", async () => {
    const event = await order('resend-who');
    const number = event.salesOrder.number;
    const jobsBefore = await jobIds(world.queues.send);
    for (const to of ['someone@elsewhere.example', 'someone.else@gmail.com']) {
      const error = await refusal(resend(deps, number, { to: [to], reason: 'try' }, support), ForbiddenError);
      expect(error.message).toContain(to);
    }
    expect(await resends(number)).toBe(0);
    expect(await jobIds(world.queues.send)).toEqual(jobsBefore);
    expect(
      (await resend(deps, number, { to: ['buyer@procurement.example'], reason: 'allowed' }, support)).deliveries,
    ).toHaveLength(1);
    expect(
      (await resend(deps, number, { to: ['someone@elsewhere.example'], reason: 'approved' }, admin)).deliveries,
    ).toHaveLength(1);
  });

  it('names the field of a bad request, an unknown line and one not delivered yet; writes and queues nothing', async () => {
    const event = await order('resend-invalid', { laterLine2: true });
    const number = event.salesOrder.number;
    const jobsBefore = await jobIds(world.queues.send);
    const issues = async (body: unknown) =>
      (await refusal(resend(deps, number, body, support), InvalidInputError)).issues;
    expect((await issues({ reason: ' ' })).map((i) => i.path)).toEqual(['reason']);
    expect((await issues({ reason: 'x', to: ['not an address'] })).map((i) => i.path)).toEqual(['to[0]']);
    expect((await issues({ reason: 'x', extra: true })).map((i) => i.message).join()).toContain('extra');
    expect(await issues({ reason: 'x', lines: ['9', '2'] })).toEqual([
      { path: 'lines[0]', message: `order ${number} has no line "9"` },
      { path: 'lines[1]', message: 'line "2" ships on 2027-01-15 and has not been delivered yet' },
    ]);
    await refusal(resend(deps, '99999999', { reason: 'x' }, support), NotFoundError);
    expect(await resends(number)).toBe(0);
    expect(await jobIds(world.queues.send)).toEqual(jobsBefore);
  });

  it('allows RESENDS_PER_ORDER_PER_HOUR per order and hour, then refuses with the seconds to wait', async () => {
    const event = await order('resend-rate');
    const number = event.salesOrder.number;
    const hourly = new ManualClock(new Date('2026-11-28T10:00:00Z'));
    const rated = { ...deps, clock: hourly };
    for (let i = 0; i < PER_HOUR; i++) await resend(rated, number, { lines: ['1'], reason: `try ${i}` }, support);
    hourly.set('2026-11-28T10:45:00Z');
    const error = await refusal(resend(rated, number, { reason: 'once more' }, support), RateLimitedError);
    expect(error.retryAfterSeconds).toBe(15 * 60);
    expect(await resends(number)).toBe(PER_HOUR * 2);
    // Another order has its own allowance; the next hour this one has a new one.
    const other = await order('resend-rate-other');
    expect((await resend(rated, other.salesOrder.number, { reason: 'x' }, support)).deliveries).toHaveLength(2);
    hourly.set('2026-11-28T11:00:00Z');
    expect((await resend(rated, number, { reason: 'next hour' }, support)).deliveries).toHaveLength(2);
  });

  it('answers a request repeated under its Idempotency-Key from the first: no rows, jobs, audit lines or allowance', async () => {
    const event = await order('resend-keyed');
    const number = event.salesOrder.number;
    const rated = { ...deps, clock: new ManualClock(new Date('2026-11-28T10:00:00Z')) };
    const first = await resend(rated, number, { reason: 'lost' }, support, 'form-1');
    expect(first.replayed).toBe(false);
    const jobsAfterFirst = await jobIds(world.queues.send);
    const auditAfterFirst = await world.stores.audit.read({ order: number, limit: 100 });
    for (let i = 0; i < PER_HOUR + 2; i++) {
      const again = await resend(rated, number, { reason: 'lost' }, support, 'form-1');
      expect(again).toMatchObject({ resendId: first.resendId, replayed: true });
      expect(again.deliveries.map((d) => d.id)).toEqual(first.deliveries.map((d) => d.id));
    }
    expect(await resends(number)).toBe(2);
    expect(await jobIds(world.queues.send)).toEqual(jobsAfterFirst);
    expect(await world.stores.audit.read({ order: number, limit: 100 })).toEqual(auditAfterFirst);
    // The replays took none of the hour's allowance: PER_HOUR - 1 new resends still go.
    for (let i = 1; i < PER_HOUR; i++) await resend(rated, number, { reason: `new ${i}` }, support, `form-${i + 1}`);
    await refusal(resend(rated, number, { reason: 'one too many' }, support, 'form-9'), RateLimitedError);
    // A different request under a used key is refused and writes nothing.
    const clash = await refusal(resend(rated, number, { reason: 'other' }, support, 'form-1'), ConflictError);
    expect(clash.issues.map((i) => i.path)).toEqual(['Idempotency-Key']);
    expect(await resends(number)).toBe(2 * PER_HOUR);
  });
});
