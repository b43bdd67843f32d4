import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookEvent } from '../../src/webhook-rules/events.ts';
import { dueBetweenQuery, NoticeStore, type NewNoticeDelivery } from '../../src/store/notices.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { insertOrder } from '../support/notice-fixtures.ts';
import { subscribe } from '../support/webhook-subscriber.ts';

let t: TestDatabase;
let store: NoticeStore;
const OFFSETS = [90, 30, 7];
const AT = new Date('2027-01-01T06:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
  await subscribe(t.db);
  store = new NoticeStore(t.db);
  // Initial 12-month subscriptions shipped 2026-01-15: paid term ends 2027-01-15, expires 2027-02-14.
  await insertOrder(t.db, {
    number: '10000001',
    contacts: [{ email: 'Ana@Example.com', name: 'Ana' }, { email: 'bo@example.com' }],
    lines: [
      { ssrn: 'A1', shipDate: '2026-01-15' },
      { ssrn: 'A2', shipDate: '2026-01-15' },
      { ssrn: 'AP', shipDate: '2026-01-15', licenseType: 'perpetual' },
    ],
  });
  // Renewed: its notices are cancelled.
  await insertOrder(t.db, {
    number: '10000002',
    contacts: [{ email: 'cy@example.com' }],
    lines: [{ ssrn: 'B1', shipDate: '2026-01-15' }],
  });
  await insertOrder(t.db, {
    number: '10000003',
    contacts: [{ email: 'cy@example.com' }],
    lines: [{ ssrn: 'B2', shipDate: '2026-12-01', renews: { ssrn: 'B1', endDate: '2027-02-14' } }],
  });
});
afterAll(() => t.drop());

describe('the notice store', () => {
  it('finds the entitlements with a notice due on a day, by each notice (renewed ones marked), none perpetual or expired', async () => {
    const ssrns = async (from: string, to = from) => (await store.dueBetween(from, to, OFFSETS)).map((r) => r.ssrn);
    expect(await ssrns('2026-10-17')).toEqual(['A1', 'A2', 'B1']); // 90 days before the paid term ends
    expect(await ssrns('2026-10-18')).toEqual([]);
    expect(await ssrns('2027-01-15')).toEqual(['A1', 'A2', 'B1']); // grace
    expect(await ssrns('2027-02-14')).toEqual(['A1', 'A2', 'B1']); // expiry
    expect(await ssrns('2027-02-15')).toEqual([]);
    expect(await ssrns('2028-01-15')).toEqual(['B2']); // 2028-02-14 less 30: the renewal's own reminder
    expect(await ssrns('2026-11-01', '2027-01-10')).toEqual(['A1', 'A2', 'B1']);
    const [b1] = (await store.dueBetween('2027-01-15', '2027-01-15', OFFSETS)).filter((r) => r.ssrn === 'B1');
    expect(b1).toEqual({
      ssrn: 'B1',
      orderNumber: '10000002',
      licenseType: 'subscription',
      startDate: '2026-01-15',
      endDate: '2027-02-14',
      graceDays: 30,
      renewed: true,
    });
  });

  it("recipients are the order's contacts that have not opted out", async () => {
    expect(await store.recipients(['10000001'])).toEqual([
      { orderNumber: '10000001', email: 'ana@example.com', name: 'Ana' },
      { orderNumber: '10000001', email: 'bo@example.com' },
    ]);
    expect(await store.optOut('BO@example.com', AT)).toBe(true);
    expect(await store.optOut('bo@example.com', AT)).toBe(false);
    expect(await store.isOptedOut('Bo@Example.com')).toBe(true);
    expect((await store.recipients(['10000001'])).map((r) => r.email)).toEqual(['ana@example.com']);
  });

  it('records a delivery once per (entitlement, notice, recipient), whoever records it, even many at once', async () => {
    const plan = (id: string, ssrns: string[]): NewNoticeDelivery => ({
      id,
      groupId: `g-${id}`,
      orderNumber: '10000001',
      notice: 'reminder-30',
      date: '2026-12-16',
      ssrns,
      recipient: 'ana@example.com',
      messageId: `<${id}@x>`,
    });
    const results = await Promise.all(Array.from({ length: 6 }, () => store.record([plan('d1', ['A1', 'A2'])], AT)));
    expect(results.flat()).toEqual([{ id: 'd1', ssrns: ['A1', 'A2'] }]);
    // Another sweep (another day, another id) planning one entitlement already claimed records only the other.
    expect(await store.record([plan('d2', ['A2']), plan('d3', ['A1', 'A2'])], AT)).toEqual([]);
    await t.db.query("DELETE FROM notice_claims WHERE ssrn = 'A2'");
    await t.db.query("UPDATE notice_deliveries SET ssrns = '{A1}' WHERE id = 'd1'");
    expect(await store.record([plan('d4', ['A1', 'A2'])], AT)).toEqual([{ id: 'd4', ssrns: ['A2'] }]);
    expect(await store.claims(['A1', 'A2'])).toEqual(
      expect.arrayContaining([
        { ssrn: 'A1', notice: 'reminder-30', recipient: 'ana@example.com' },
        { ssrn: 'A2', notice: 'reminder-30', recipient: 'ana@example.com' },
      ]),
    );
    expect(await store.get('d4')).toMatchObject({
      status: 'queued',
      ssrns: ['A2'],
      noticeDate: '2026-12-16',
      attempts: 0,
      createdAt: AT.toISOString(),
    });
    expect(await store.unqueued({ all: true, staleBefore: AT })).toEqual(['d1', 'd4']);
    expect(await store.unqueued({ all: false, staleBefore: AT })).toEqual([]);
    expect(await store.unqueued({ all: false, staleBefore: new Date(AT.getTime() + 1) })).toEqual(['d1', 'd4']);
  });

  it('tracks sending: accepted, retried, failed, bounced, cancelled; an accepted one is never turned back', async () => {
    const base = {
      groupId: 'g',
      orderNumber: '10000002',
      notice: 'grace',
      date: '2027-01-15',
      ssrns: ['B1'],
      recipient: 'cy@example.com',
    };
    await store.record([{ ...base, id: 's1', messageId: '<s1@x>' }], AT);
    await store.markAttempt('s1', { status: 'retrying', attempts: 1, error: '421 try later', at: AT });
    expect(await store.get('s1')).toMatchObject({ status: 'retrying', attempts: 1, lastError: '421 try later' });
    const sent = webhookEvent(
      'notice.sent',
      's1',
      {
        orderNumber: '10000002',
        lines: [{ lineNumber: '1', ssrn: 'B1' }],
        recipient: 'cy@example.com',
        notice: 'grace',
      },
      AT,
    );
    await store.markAccepted('s1', AT, '250 ok', 2, sent);
    expect(await t.db.query('SELECT type, order_number FROM webhook_events WHERE id = $1', [sent.id])).toEqual([
      { type: 'notice.sent', order_number: '10000002' },
    ]);
    await store.markAttempt('s1', { status: 'failed', attempts: 3, error: 'late', at: AT });
    await store.markCancelled('s1', 'late');
    expect(await store.get('s1')).toMatchObject({
      status: 'sent',
      attempts: 2,
      smtpResponse: '250 ok',
      acceptedAt: AT.toISOString(),
    });
    expect(await store.markBounced('s1', '<s1@x>', AT, '5.1.1 no such user')).toBe(true);
    expect(await store.markBounced('s1', '<s1@forged>', AT, 'x')).toBe(false);
    expect(await store.get('s1')).toMatchObject({
      status: 'bounced',
      bouncedAt: AT.toISOString(),
      lastError: '5.1.1 no such user',
    });
    expect((await store.forOrder('10000002')).map((d) => d.id)).toEqual(['s1']);
  });

  it('the source of a message: order and entitlements in line order, with renewals marked', async () => {
    const source = await store.source('10000002', ['B1']);
    expect(source).toEqual({
      order: { number: '10000002', endCustomer: { name: 'End customer of 10000002' }, locale: 'en' },
      entitlements: [
        {
          ssrn: 'B1',
          lineNumber: '1',
          sku: 'S-EX-A-C1-1',
          licenseName: 'License B1',
          description: 'EX Series Advanced',
          quantity: 1,
          startDate: '2026-01-15',
          endDate: '2027-02-14',
          graceDays: 30,
          renewed: true,
        },
      ],
    });
    expect(await store.source('99999999', ['B1'])).toBeUndefined();
  });

  it('keeps a signing key made once per database, and a catch-up point that never moves back', async () => {
    const key = await store.unsubscribeKey();
    expect(key.length).toBe(32);
    expect((await store.unsubscribeKey()).equals(key)).toBe(true);
    expect(await store.sweptThrough()).toBeUndefined();
    await store.markSwept('2027-01-10');
    await store.markSwept('2027-01-08');
    expect(await store.sweptThrough()).toBe('2027-01-10');
  });
});

describe('the "what is due" query at scale', () => {
  // A database of its own: its 20,000 entitlements would be due in the other tests' queries.
  let scale: TestDatabase;
  beforeAll(async () => {
    scale = await createTestDatabase();
  });
  afterAll(() => scale?.drop());

  it('reads indexes, not the table', async () => {
    const store = new NoticeStore(scale.db);
    await insertOrder(scale.db, {
      number: '20000000',
      contacts: [],
      lines: [{ ssrn: 'SEED', shipDate: '2026-01-01' }],
    });
    // 20,000 subscriptions ending over some four years.
    await scale.db.query(`
      INSERT INTO entitlements (ssrn, activation_code, order_number, event_id, fulfillment_id, position, line_number, sku, product, license_name,
        description, quantity, license_type, purchase, term_months, ship_date, start_date, end_date, grace_days)
      SELECT 'G' || i, 'c' || i, e.order_number, e.event_id, e.fulfillment_id, i, '1', 's', 'ex', 'n', 'd', 1, 'subscription', 'initial', 12,
        DATE '2025-01-01' + (i % 1500), DATE '2025-01-01' + (i % 1500), DATE '2026-01-01' + (i % 1500) + 30, 30
      FROM generate_series(1, 20000) AS i, (SELECT order_number, event_id, fulfillment_id FROM entitlements WHERE ssrn = 'SEED') AS e`);
    await scale.db.query('ANALYZE entitlements');
    const rows = await store.dueBetween('2027-06-01', '2027-06-01', OFFSETS);
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.length).toBeLessThan(100);
    const q = dueBetweenQuery('2027-06-01', '2027-06-01', OFFSETS);
    const plan = (await scale.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${q.sql}`, q.params))
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan).toContain('entitlements_by_paid_end');
    expect(plan).toContain('entitlements_by_renewed');
    expect(plan).not.toMatch(/Seq Scan on entitlements/);
  });
});
