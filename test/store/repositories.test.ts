import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptEvent, type IntakeDeps } from '../../src/intake/accept-event.ts';
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { ConflictError } from '../../src/errors.ts';
import type { IssuedKey } from '../../src/model.ts';
import { createStores, type Stores } from '../../src/store/stores.ts';
import { connectPostgres, type Db } from '../../src/store/db.ts';
import { ManualClock } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { makeEvent } from '../support/events.ts';

let database: TestDatabase;
let stores: Stores;
const scheduled: string[] = [];
let deps: IntakeDeps;

beforeAll(async () => {
  database = await createTestDatabase();
  stores = createStores(database.db);
  deps = {
    ...stores,
    catalog: loadCatalog(),
    clock: new ManualClock(new Date('2026-11-28T10:00:00Z')),
    timeZone: 'UTC',
    mailFromAddress: 'licensing@courier.example',
    scheduleFanOut: async (id) => void scheduled.push(id),
  };
});
afterAll(() => database.drop());

/** makeEvent with a second line whose codes derive from the first's. */
function twoLines(tag: string, recipients: number) {
  const e = makeEvent(tag, recipients);
  const first = e.lines[0]!;
  return {
    ...e,
    lines: [first, { ...first, lineNumber: '2', ssrn: `${first.ssrn}B`, activationCode: `${first.activationCode}B` }],
  };
}

const count = async (table: string, where = 'true', params: unknown[] = []) =>
  Number((await database.db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params))[0]!.n);

async function conflictOf(promise: Promise<unknown>): Promise<ConflictError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConflictError);
  return error as ConflictError;
}

describe('intake: one transaction', () => {
  it('stores the event with its order, accounts, contacts, entitlements, fulfillments and deliveries, and replays the first answer', async () => {
    const event = twoLines('repo-1', 2);
    const first = await acceptEvent(deps, event, 'test');
    expect(first.replay).toBe(false);
    const order = event.salesOrder.number;
    expect(await count('orders', 'number = $1', [order])).toBe(1);
    expect(await count('order_accounts', 'order_number = $1', [order])).toBe(1);
    expect(await count('contacts', 'order_number = $1', [order])).toBe(2);
    expect(await count('entitlements', 'order_number = $1', [order])).toBe(event.lines.length);
    expect(await count('fulfillments', 'order_number = $1', [order])).toBe(1);
    expect(await count('deliveries', 'order_number = $1', [order])).toBe(2);

    const again = await acceptEvent(deps, event, 'test');
    expect(again).toEqual({ replay: true, response: first.response });
    expect(await count('deliveries', 'order_number = $1', [order])).toBe(2);
  });

  it('refuses the same eventId with other content (409 on eventId), writing nothing', async () => {
    const event = makeEvent('repo-2', 1);
    await acceptEvent(deps, event, 'test');
    const changed = { ...event, lines: [{ ...event.lines[0]!, quantity: 7 }] };
    const error = await conflictOf(acceptEvent(deps, changed, 'test'));
    expect(error.issues).toEqual([{ path: 'eventId', message: expect.stringContaining('different content') }]);
    expect((await stores.entitlements.get(event.lines[0]!.ssrn))?.quantity).toBe(event.lines[0]!.quantity);
  });

  it('names the line and field of an SSRN or Activation Code another entitlement holds, and writes nothing of that event', async () => {
    const owner = makeEvent('repo-3', 1);
    await acceptEvent(deps, owner, 'test');
    const other = twoLines('repo-4', 1);
    const ssrnClash = { ...other, lines: [other.lines[0]!, { ...other.lines[1]!, ssrn: owner.lines[0]!.ssrn }] };
    expect((await conflictOf(acceptEvent(deps, ssrnClash, 'test'))).issues).toEqual([
      { path: 'lines[1].ssrn', message: 'already belongs to an existing entitlement' },
    ]);
    const codeClash = {
      ...other,
      lines: [{ ...other.lines[0]!, activationCode: owner.lines[0]!.activationCode }, other.lines[1]!],
    };
    expect((await conflictOf(acceptEvent(deps, codeClash, 'test'))).issues[0]!.path).toBe('lines[0].activationCode');
    for (const table of ['events', 'orders', 'entitlements', 'fulfillments', 'deliveries']) {
      const column = table === 'events' ? 'event_id' : table === 'orders' ? 'number' : 'order_number';
      expect(
        await count(table, `${column} = $1`, [table === 'events' ? other.eventId : other.salesOrder.number]),
        table,
      ).toBe(0);
    }
  });

  it('lets exactly one of several events racing for the same Activation Code in', async () => {
    const code = makeEvent('repo-race-code', 1).lines[0]!.activationCode;
    const racers = Array.from({ length: 6 }, (_, i) => {
      const e = makeEvent(`repo-race-${i}`, 1);
      return { ...e, lines: [{ ...e.lines[0]!, activationCode: code }] };
    });
    // Each on a connection of its own, so the transactions really overlap.
    const dbs: Db[] = racers.map(() => connectPostgres(database.url, { max: 1 }));
    const outcomes = await Promise.allSettled(
      racers.map((e, i) => acceptEvent({ ...deps, ...createStores(dbs[i]!) }, e, 'test')),
    );
    await Promise.all(dbs.map((d) => d.close()));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(o.reason).toBeInstanceOf(ConflictError);
      expect((o.reason as ConflictError).issues[0]!.path).toBe('lines[0].activationCode');
    }
    expect(await count('entitlements', 'activation_code = $1', [code])).toBe(1);
  });
});

describe('certificates', () => {
  it('keeps the first bytes stored; a later rendering gets those back', async () => {
    const event = makeEvent('repo-cert', 1);
    const { response } = await acceptEvent(deps, event, 'test');
    const id = response.fulfillments[0]!.id;
    expect((await stores.fulfillments.shipment(id))?.certificate).toBeUndefined();
    const [a, b] = await Promise.all([
      stores.fulfillments.saveCertificate(id, Buffer.from('%PDF-first')),
      stores.fulfillments.saveCertificate(id, Buffer.from('%PDF-second')),
    ]);
    expect(a.equals(b)).toBe(true);
    expect((await stores.fulfillments.saveCertificate(id, Buffer.from('%PDF-later'))).equals(a)).toBe(true);
    expect((await stores.fulfillments.certificate(id))!.equals(a)).toBe(true);
    expect((await stores.fulfillments.shipment(id))?.certificate?.equals(a)).toBe(true);
  });

  it('a fan-out stores its certificate, queues what was scheduled and marks itself done in one statement', async () => {
    const event = makeEvent('repo-fanned-out', 2, '2026-12-24');
    const { response } = await acceptEvent(deps, event, 'test');
    const id = response.fulfillments[0]!.id;
    const open = (await stores.fulfillments.shipment(id))!.openDeliveries;
    expect(open.map((d) => d.status)).toEqual(['scheduled', 'scheduled']);
    const at = new Date('2026-12-24T00:00:00Z');
    const fanOuts = [Buffer.from('%PDF-first'), Buffer.from('%PDF-second')].map((certificate) =>
      stores.fulfillments.markFannedOut(id, { certificate, scheduled: open.map((d) => d.id), at }),
    );
    // Two workers racing: both are handed the bytes stored first.
    const [a, b] = await Promise.all(fanOuts);
    expect(a!.equals(b!)).toBe(true);
    expect((await stores.fulfillments.certificate(id))!.equals(a!)).toBe(true);
    const after = (await stores.fulfillments.shipment(id))!;
    expect(after.fulfillment.fannedOutAt).toBe(at.toISOString());
    expect(after.openDeliveries).toEqual(open.map((d) => ({ id: d.id, status: 'queued' })));
    // Without a certificate (stored by an earlier run), it writes the rest and keeps the first time.
    const later = new Date('2026-12-24T01:00:00Z');
    expect(await stores.fulfillments.markFannedOut(id, { scheduled: [], at: later })).toBeUndefined();
    expect((await stores.fulfillments.shipment(id))!.fulfillment.fannedOutAt).toBe(at.toISOString());
    // Deliveries sent are no longer open; resends are never a fan-out's.
    const [sent] = open;
    await stores.deliveries.update(sent!.id, { status: 'sent', acceptedAt: later.toISOString() });
    expect((await stores.fulfillments.shipment(id))!.openDeliveries.map((d) => d.id)).toEqual([open[1]!.id]);
  });
});

describe('claiming keys', () => {
  const offer = (device: string): IssuedKey => ({
    device,
    key: `KEY-${device}`,
    licenseId: `LC-${device}`,
    issuedOn: '2026-11-28',
  });

  it('never issues more keys than the quantity, with 20 devices claiming at once', async () => {
    const quantity = 5;
    const plain = makeEvent('repo-claim', 1);
    const event = { ...plain, lines: [{ ...plain.lines[0]!, quantity }] };
    await acceptEvent(deps, event, 'test');
    const { ssrn } = event.lines[0]!;
    const dbs: Db[] = Array.from({ length: 20 }, () => connectPostgres(database.url, { max: 1 }));
    const claims = await Promise.all(
      dbs.map((d, i) => createStores(d).activations.claimKeys(ssrn, quantity, [offer(`DEV${i}`)])),
    );
    await Promise.all(dbs.map((d) => d.close()));
    expect(claims.flat().filter((c) => c.outcome === 'issued')).toHaveLength(quantity);
    expect(await stores.activations.issuedKeys(ssrn)).toHaveLength(quantity);
  });

  it('gives a device its stored key back without using quantity', async () => {
    const event = makeEvent('repo-claim-2', 1);
    await acceptEvent(deps, event, 'test');
    const { ssrn } = event.lines[0]!;
    expect((await stores.activations.claimKeys(ssrn, 1, [offer('A')]))[0]!.outcome).toBe('issued');
    expect(
      await stores.activations.claimKeys(ssrn, 1, [{ ...offer('A'), key: 'A DIFFERENT KEY' }, offer('B')]),
    ).toEqual([
      { device: 'A', outcome: 'existing', key: offer('A') },
      { device: 'B', outcome: 'quantity-used-up' },
    ]);
  });
});

describe('audit log', () => {
  it('pages newest first by numeric id', async () => {
    for (let i = 0; i < 5; i++)
      await stores.audit.record({ actor: 'test', action: 'page', order: 'AUDIT-1', outcome: String(i) });
    const page1 = await stores.audit.read({ order: 'AUDIT-1', limit: 2 });
    expect(page1.map((e) => e.outcome)).toEqual(['4', '3']);
    const page2 = await stores.audit.read({ order: 'AUDIT-1', limit: 2, before: page1.at(-1)!.id });
    expect(page2.map((e) => e.outcome)).toEqual(['2', '1']);
    expect(page2[0]).toMatchObject({
      actor: 'test',
      action: 'page',
      order: 'AUDIT-1',
      detail: {},
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
  });
});
