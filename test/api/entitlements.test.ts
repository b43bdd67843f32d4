import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, TEST_TOKENS } from '../support/app.ts';
import { makeEvent } from '../support/events.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';

let pipeline: TestPipeline;
const ACCOUNT = '0200077777';

/** One line of an order on ACCOUNT, its term and ship date chosen so that on 2026-11-28 it has the status named. */
const lines = {
  active: { shipDate: '2026-11-28', termMonths: 36 },
  'in-grace': { shipDate: '2025-11-20', termMonths: 12 },
  expiring: { shipDate: '2025-12-28', termMonths: 12 },
  expired: { shipDate: '2025-01-01', termMonths: 1 },
} as const;

function accountEvent(tag: string, status: keyof typeof lines, product = 'ex') {
  const e = makeEvent(tag, 2);
  return {
    ...e,
    salesOrder: {
      ...e.salesOrder,
      accounts: [
        { id: ACCOUNT, role: 'customer' },
        { id: `P${tag.length}9`, role: 'partner' },
      ],
    },
    lines: [{ ...e.lines[0]!, ...lines[status], product, ...(product !== 'ex' && { sku: 'S-SRX-1' }) }],
  };
}

const events = [
  accountEvent('ents-active', 'active'),
  accountEvent('ents-grace', 'in-grace'),
  accountEvent('ents-expiring', 'expiring'),
  accountEvent('ents-expired', 'expired'),
  accountEvent('ents-srx', 'active', 'srx'),
];

beforeAll(async () => {
  pipeline = await startPipeline({}, { workers: false, clock: new ManualClock(new Date('2026-11-28T12:00:00Z')) });
  for (const e of events) expect((await pipeline.post('/v1/fulfillments', e)).statusCode).toBe(202);
  expect((await pipeline.post('/v1/fulfillments', makeEvent('ents-other-account', 1))).statusCode).toBe(202);
});
afterAll(() => pipeline.close());

type Found = {
  ssrn: string;
  status: string;
  product: string;
  order: { number: string };
  endDate?: string;
  delivery: Record<string, number>;
  activations: unknown[];
};

describe('GET /v1/accounts/{id}/entitlements', () => {
  it('lists every line of the orders the account is on, each with its order, status and delivery summary', async () => {
    const res = await pipeline.get(`/v1/accounts/${ACCOUNT}/entitlements`);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Found[];
    expect(items.map((i) => i.ssrn).sort()).toEqual(events.map((e) => e.lines[0]!.ssrn).sort());
    expect(res.json().next).toBeUndefined();
    const byStatus = Object.fromEntries(items.filter((i) => i.product === 'ex').map((i) => [i.ssrn, i.status]));
    expect(byStatus).toEqual({
      [events[0]!.lines[0]!.ssrn]: 'active',
      [events[1]!.lines[0]!.ssrn]: 'in-grace',
      [events[2]!.lines[0]!.ssrn]: 'expiring',
      [events[3]!.lines[0]!.ssrn]: 'expired',
    });
    const first = items.find((i) => i.ssrn === events[0]!.lines[0]!.ssrn)!;
    expect(first.order.number).toBe(events[0]!.salesOrder.number);
    expect(first.endDate).toBe('2029-12-28');
    expect(first.delivery).toEqual({ recipients: 2, sent: 0, pending: 2, failed: 0, bounced: 0 });
    expect(first.activations).toEqual([]);
  });

  it('filters by status and product', async () => {
    for (const status of ['in-grace', 'expiring', 'expired'] as const) {
      const items = (await pipeline.get(`/v1/accounts/${ACCOUNT}/entitlements?status=${status}`)).json()
        .items as Found[];
      expect(
        items.map((i) => i.status),
        status,
      ).toEqual([status]);
    }
    expect(
      (await pipeline.get(`/v1/accounts/${ACCOUNT}/entitlements?status=active`)).json().items as Found[],
    ).toHaveLength(2);
    const srx = (await pipeline.get(`/v1/accounts/${ACCOUNT}/entitlements?product=srx`)).json().items as Found[];
    expect(srx.map((i) => i.ssrn)).toEqual([events[4]!.lines[0]!.ssrn]);
    expect(
      (await pipeline.get(`/v1/accounts/${ACCOUNT}/entitlements?status=active&product=srx`)).json().items,
    ).toHaveLength(1);
    expect((await pipeline.get('/v1/accounts/0999999999/entitlements')).json()).toEqual({ items: [] });
  });

  it('pages with a cursor, each entitlement once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (
        await pipeline.get(`/v1/accounts/${ACCOUNT}/entitlements?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json() as { items: Found[]; next?: string };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.ssrn));
      cursor = page.next;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('refuses bad queries naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      [`/v1/accounts/${ACCOUNT}/entitlements?status=lapsed`, 'status'],
      [`/v1/accounts/${ACCOUNT}/entitlements?limit=0`, 'limit'],
      [`/v1/accounts/${ACCOUNT}/entitlements?cursor=bm90IGEgY3Vyc29y`, 'cursor'],
      ['/v1/accounts/not%20an%20id/entitlements', 'id'],
    ];
    for (const [url, path] of cases) {
      const res = await pipeline.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(
        res.json().issues.map((i: { path: string }) => i.path),
        url,
      ).toEqual([path]);
    }
    expect((await pipeline.get(`/v1/accounts/${ACCOUNT}/entitlements`, TEST_TOKENS.intake)).statusCode).toBe(403);
  });
});

describe('GET /v1/entitlements', () => {
  it('finds by SSRN, Activation Code or a contact address', async () => {
    const line = events[1]!.lines[0]!;
    const bySsrn = (await pipeline.get(`/v1/entitlements?ssrn=${line.ssrn}`)).json().items as Found[];
    expect(bySsrn.map((i) => [i.ssrn, i.status])).toEqual([[line.ssrn, 'in-grace']]);
    const byCode = (await pipeline.get(`/v1/entitlements?activationCode=${line.activationCode}`)).json()
      .items as Found[];
    expect(byCode.map((i) => i.ssrn)).toEqual([line.ssrn]);
    const email = events[1]!.salesOrder.contacts[1]!.email.toUpperCase();
    const byEmail = (await pipeline.get(`/v1/entitlements?email=${encodeURIComponent(email)}`)).json().items as Found[];
    expect(byEmail.map((i) => i.ssrn)).toEqual([line.ssrn]);
    expect((await pipeline.get('/v1/entitlements?ssrn=SSRNUNKNOWN1')).json()).toEqual({ items: [] });
  });

  it('needs exactly one of ssrn, activationCode, email', async () => {
    for (const query of ['', `?ssrn=${events[0]!.lines[0]!.ssrn}&email=a@b.example`]) {
      const res = await pipeline.get(`/v1/entitlements${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().issues[0].message).toContain('exactly one of ssrn, activationCode, email');
    }
  });
});
