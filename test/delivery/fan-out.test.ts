import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOut } from '../../src/delivery/fan-out.ts';
import { acceptEvent } from '../../src/intake/accept-event.ts';
import type { FulfillmentDocument } from '../../src/model.ts';
import { ManualClock } from '../support/app.ts';
import { makeEvent, rawExample, type RawEvent } from '../support/events.ts';
import { fanOutDeps, intakeDeps, jobIds, startUseCaseWorld, type UseCaseWorld } from '../support/use-cases.ts';

// The fan-out use case called directly: real repositories on PostgreSQL, real certificates and signed keys, its send
// jobs queued on a real BullMQ queue. FULFILLMENT_TZ is Tokyo (UTC+9).

const TZ = 'Asia/Tokyo';
const signingKey = generateKeyPairSync('ed25519').privateKey;
let world: UseCaseWorld;

beforeAll(async () => {
  world = await startUseCaseWorld();
});
afterAll(() => world.close());

/** Accepts `event` at `at` and returns its first fulfillment's id. */
async function accepted(event: RawEvent, at: string): Promise<string> {
  const { response } = await acceptEvent(intakeDeps(world, new ManualClock(new Date(at)), TZ), event, 'erp');
  return response.fulfillments[0]!.id;
}

const depsAt = (at: string) => fanOutDeps(world, new ManualClock(new Date(at)), { timeZone: TZ, signingKey });
const statuses = async (id: string) => (await world.stores.deliveries.forFulfillment(id)).map((d) => d.status);
const sendJobsOf = async (id: string) => (await jobIds(world.queues.send)).filter((j) => j.startsWith(`${id}.`));

describe('fan-out (fanOut)', () => {
  it('ships a due fulfillment: its certificate stored, its deliveries queued, one send job each, marked fanned out', async () => {
    // Accepted the day before its ship date (in Tokyo), so its deliveries wait as scheduled.
    const id = await accepted(makeEvent('fan-out-ships', 3, '2026-12-01'), '2026-11-30T10:00:00Z');
    expect(await statuses(id)).toEqual(['scheduled', 'scheduled', 'scheduled']);
    const rendered: Array<[string, Buffer]> = [];
    // 2026-12-01 begins in Tokyo at 15:00 UTC on the 30th.
    const deps = {
      ...depsAt('2026-11-30T15:00:00Z'),
      rendered: (doc: { fulfillment: { id: string } }, pdf: Buffer) => void rendered.push([doc.fulfillment.id, pdf]),
    };
    expect(await fanOut(deps, id)).toBe('done');

    const pdf = await world.stores.fulfillments.certificate(id);
    expect(pdf?.subarray(0, 5).toString()).toBe('%PDF-');
    // The process's sends are handed the very bytes stored.
    expect(rendered).toEqual([[id, pdf]]);
    const deliveries = await world.stores.deliveries.forFulfillment(id);
    expect(deliveries.map((d) => [d.status, d.queuedAt])).toEqual(
      deliveries.map(() => ['queued', '2026-11-30T15:00:00.000Z']),
    );
    expect(await sendJobsOf(id)).toEqual(deliveries.map((d) => d.id).sort());
    const job = await world.queues.send.getJob(deliveries[0]!.id);
    expect(job?.data).toEqual({ deliveryId: deliveries[0]!.id });
    expect(job?.opts.attempts).toBe(3);
    expect((await world.stores.fulfillments.shipment(id))?.fulfillment.fannedOutAt).toBe('2026-11-30T15:00:00.000Z');
    expect(await world.stores.fulfillments.notFannedOut(100)).not.toContainEqual(expect.objectContaining({ id }));
  });

  it('does nothing before the ship date begins in FULFILLMENT_TZ: not due, nothing rendered, written or queued', async () => {
    const id = await accepted(makeEvent('fan-out-early', 2, '2026-12-01'), '2026-11-30T10:00:00Z');
    // 14:59 UTC on the 30th is 23:59 in Tokyo: still the 30th there.
    expect(await fanOut(depsAt('2026-11-30T14:59:00Z'), id)).toBe('not-due');
    expect(await world.stores.fulfillments.certificate(id)).toBeUndefined();
    expect(await statuses(id)).toEqual(['scheduled', 'scheduled']);
    expect(await sendJobsOf(id)).toEqual([]);
    expect((await world.stores.fulfillments.shipment(id))?.fulfillment.fannedOutAt).toBeUndefined();
  });

  it('is idempotent: run again, or twice at once, it keeps the first certificate and one job per delivery', async () => {
    const id = await accepted(makeEvent('fan-out-twice', 2, '2026-11-28'), '2026-11-28T01:00:00Z');
    // Without a cache to hand the certificate to (the `rendered` port is optional), it is stored all the same.
    const deps = depsAt('2026-11-28T01:00:00Z');
    expect(await Promise.all([fanOut(deps, id), fanOut(deps, id)])).toEqual(['done', 'done']);
    const first = (await world.stores.fulfillments.certificate(id))!;
    expect(first.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await fanOut(deps, id)).toBe('done');
    expect((await world.stores.fulfillments.certificate(id))!.equals(first)).toBe(true);
    const deliveries = await world.stores.deliveries.forFulfillment(id);
    expect(await sendJobsOf(id)).toEqual(deliveries.map((d) => d.id).sort());
  });

  it('a second job for a fulfillment already fanned out (the reconciler racing its end) queues no sent delivery again', async () => {
    const id = await accepted(makeEvent('fan-out-late-repeat', 2, '2026-11-28'), '2026-11-28T01:00:00Z');
    const deps = depsAt('2026-11-28T01:00:00Z');
    expect(await fanOut(deps, id)).toBe('done');
    const first = (await world.stores.fulfillments.certificate(id))!;
    // Its sends finished (the servers said 250) and BullMQ removed their jobs.
    for (const d of await world.stores.deliveries.forFulfillment(id))
      await world.stores.deliveries.update(d.id, { status: 'sent', acceptedAt: '2026-11-28T01:00:01.000Z' });
    await world.queues.send.obliterate({ force: true });
    expect(await world.stores.fulfillments.notFannedOut(10, [id])).toEqual([]);
    const later = { ...depsAt('2026-11-28T02:00:00Z'), renderCertificate: () => Promise.reject(new Error('rendered')) };
    expect(await fanOut(later, id)).toBe('done');
    expect(await sendJobsOf(id)).toEqual([]);
    expect((await world.stores.fulfillments.certificate(id))!.equals(first)).toBe(true);
    expect((await world.stores.fulfillments.shipment(id))?.fulfillment.fannedOutAt).toBe('2026-11-28T01:00:00.000Z');
  });

  it('run again after its commit, it queues the sends a crash kept it from queueing', async () => {
    const id = await accepted(makeEvent('fan-out-lost-sends', 2, '2026-11-28'), '2026-11-28T01:00:00Z');
    // The jobs were never queued: the process died after the commit, or Redis lost them.
    const lost = { ...depsAt('2026-11-28T01:00:00Z'), enqueueSends: () => Promise.reject(new Error('Redis is down')) };
    await expect(fanOut(lost, id)).rejects.toThrow('Redis is down');
    expect((await world.stores.fulfillments.shipment(id))?.fulfillment.fannedOutAt).toBe('2026-11-28T01:00:00.000Z');
    expect(await sendJobsOf(id)).toEqual([]);
    // What the reconciler would queue, and what the fan-out's own retry queues, without rendering again.
    const deliveries = (await world.stores.deliveries.forFulfillment(id)).map((d) => d.id).sort();
    expect((await world.stores.deliveries.unsent(1000)).filter((d) => deliveries.includes(d)).sort()).toEqual(
      deliveries,
    );
    const retry = { ...depsAt('2026-11-28T01:00:05Z'), renderCertificate: () => Promise.reject(new Error('rendered')) };
    expect(await fanOut(retry, id)).toBe('done');
    expect(await sendJobsOf(id)).toEqual(deliveries);
  });

  it('queues no job for a delivery already sent or failed', async () => {
    const id = await accepted(makeEvent('fan-out-settled', 3, '2026-11-28'), '2026-11-28T01:00:00Z');
    const [sent, failed, open] = await world.stores.deliveries.forFulfillment(id);
    await world.stores.deliveries.update(sent!.id, { status: 'sent', acceptedAt: '2026-11-28T01:00:00.000Z' });
    await world.stores.deliveries.update(failed!.id, { status: 'failed' });
    expect(await fanOut(depsAt('2026-11-28T01:00:00Z'), id)).toBe('done');
    expect(await sendJobsOf(id)).toEqual([open!.id]);
  });

  it('issues the signed keys of key-in-email lines once, before the certificate that lists them', async () => {
    const event = rawExample('order-cloud-security');
    const id = await accepted(event, '2026-11-28T01:00:00Z');
    const ssrn = 'SSRN7Z9A2B4C6D';
    const listed: string[] = [];
    const deps = {
      ...depsAt('2026-11-28T01:00:00Z'),
      rendered: (doc: FulfillmentDocument) =>
        void listed.push(...doc.lines.flatMap((l) => l.keys.map((k) => `${l.entitlement.ssrn} ${k.device}`))),
    };
    expect(await fanOut(deps, id)).toBe('done');
    const keys = await world.stores.activations.issuedKeys(ssrn);
    expect(keys.map((k) => k.device)).toEqual(['7f3c2a9e-1b4d-4c8e-9a61-2d5f8e0b7c13']);
    // The document the certificate was rendered from already held the key.
    expect(listed).toEqual([`${ssrn} 7f3c2a9e-1b4d-4c8e-9a61-2d5f8e0b7c13`]);
    expect(await fanOut(deps, id)).toBe('done');
    expect(await world.stores.activations.issuedKeys(ssrn)).toEqual(keys);
  });

  it('fails without a signing key for a key-in-email line, before rendering or queueing anything', async () => {
    const plain = rawExample('order-cloud-security');
    const event = {
      ...plain,
      eventId: 'fan-out-no-key',
      salesOrder: { ...plain.salesOrder, number: '15563523' },
      lines: plain.lines.map((l) => ({ ...l, ssrn: `${l.ssrn}N`, activationCode: `${l.activationCode}N` })),
    };
    const id = await accepted(event, '2026-11-28T01:00:00Z');
    const withoutKey = fanOutDeps(world, new ManualClock(new Date('2026-11-28T01:00:00Z')), { timeZone: TZ });
    await expect(fanOut(withoutKey, id)).rejects.toThrow(/LICENSE_SIGNING_KEY is not set/);
    expect(await world.stores.fulfillments.certificate(id)).toBeUndefined();
    expect(await sendJobsOf(id)).toEqual([]);
    expect((await world.stores.fulfillments.shipment(id))?.fulfillment.fannedOutAt).toBeUndefined();
  });

  it('answers missing for a fulfillment it does not know', async () => {
    expect(await fanOut(depsAt('2026-11-28T01:00:00Z'), 'f-00000000-20261128-000000')).toBe('missing');
  });
});
