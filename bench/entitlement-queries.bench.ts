// The entitlement queries of contract section 6 against a generated data set in a fresh database.
// Run: npx tsx bench/entitlement-queries.bench.ts [entitlements=1000000]
import { performance } from 'node:perf_hooks';
import { EntitlementSearch, type EntitlementStatus } from '../src/store/entitlement-search.ts';
import { createTestDatabase } from '../test/support/database.ts';
import { round, summarize } from './stats.ts';

const LINES_PER_ORDER = 4;
const PARTNERS = 1_000;
/** Every 20th order is also on one big partner's account: the widest account, 5 % of everything. */
const BIG_PARTNER = 'P000BIG';

/**
 * `total` entitlements: orders of 4 lines with one event, fulfillment and two contacts (two deliveries) each, on a
 * customer account (5 orders each), one of PARTNERS partners, and every 20th on BIG_PARTNER. Ship dates spread over
 * four years and terms of 12 or 36 months, so every status occurs.
 */
async function generate(db: Awaited<ReturnType<typeof createTestDatabase>>['db'], total: number): Promise<void> {
  const orders = Math.ceil(total / LINES_PER_ORDER);
  await db.exec(`
    CREATE TEMP TABLE gen AS SELECT n, lpad(n::text, 8, '0') AS num, date '2023-01-01' + (n % 1400) AS ship FROM generate_series(1, ${orders}) n;
    INSERT INTO events (event_id, digest, record, response, accepted_at, accepted_by)
      SELECT 'e' || num, 'd', '{}', '{}', now(), 'bench' FROM gen;
    INSERT INTO orders (number, po_number, end_customer, locale, record, updated_at)
      SELECT num, 'PO-' || num, '{"name":"Acme"}', 'en', '{}', now() FROM gen;
    INSERT INTO order_accounts (order_number, account_id, role)
      SELECT num, 'C' || (n / 5), 'customer' FROM gen
      UNION ALL SELECT num, 'P' || (n % ${PARTNERS}), 'partner' FROM gen
      UNION ALL SELECT num, '${BIG_PARTNER}', 'partner' FROM gen WHERE n % 20 = 0;
    INSERT INTO contacts (order_number, email, name)
      SELECT num, 'buyer' || (n / 5) || '@customer.example', 'Buyer' FROM gen
      UNION ALL SELECT num, 'ops' || n || '@customer.example', 'Ops' FROM gen;
    INSERT INTO fulfillments (id, event_id, order_number, ship_date, certificate_number, ssrns, created_at, fanned_out_at)
      SELECT 'f' || num, 'e' || num, num, ship, 'SEC-' || num,
        ARRAY(SELECT 'S' || num || l FROM generate_series(1, ${LINES_PER_ORDER}) l), now(), now() FROM gen;
    INSERT INTO entitlements (ssrn, activation_code, order_number, event_id, fulfillment_id, position, line_number, sku, product,
        license_name, description, quantity, license_type, purchase, term_months, ship_date, start_date, end_date, grace_days)
      SELECT 'S' || num || l, 'AC' || num || '-' || l, num, 'e' || num, 'f' || num, l - 1, l::text, 'SKU', (ARRAY['ex', 'srx', 'vsrx'])[1 + (n + l) % 3],
        'License', 'Description', 1, 'subscription', 'initial', t.term, ship, ship, (ship + make_interval(months => t.term))::date + 30, 30
      FROM gen, generate_series(1, ${LINES_PER_ORDER}) l, LATERAL (SELECT CASE WHEN (n + l) % 2 = 0 THEN 12 ELSE 36 END AS term) t;
    INSERT INTO deliveries (id, order_number, fulfillment_id, recipient, kind, status, attempts, message_id, created_at, accepted_at)
      SELECT 'f' || num || '.' || r, num, 'f' || num, 'r' || r || '.' || n || '@customer.example', 'fulfillment', 'sent', 1, '<m>', now(), now()
      FROM gen, generate_series(1, 2) r;
    ANALYZE;
  `);
}

async function time(run: () => Promise<unknown>, repeats = 30): Promise<{ median: number; p95: number; max: number }> {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  const s = summarize(samples);
  return { median: round(s.median), p95: round(s.p95), max: round(Math.max(...samples)) };
}

const total = Number(process.argv[2] ?? 1_000_000);
const database = await createTestDatabase();
try {
  const generateStart = performance.now();
  await generate(database.db, total);
  const [{ n } = { n: 0 }] = await database.db.query<{ n: number }>('SELECT count(*) AS n FROM entitlements');
  console.log(`generated ${n} entitlements in ${round((performance.now() - generateStart) / 1000, 1)} s`);
  const search = new EntitlementSearch(database.db);
  const today = '2026-12-07';
  const page = { limit: 50 };
  const account =
    (id: string, filter: { status?: EntitlementStatus; product?: string } = {}) =>
    () =>
      search.byAccount(id, { today, ...filter }, page);
  const secondPage = async () => {
    const first = await search.byAccount(BIG_PARTNER, { today }, page);
    return search.byAccount(BIG_PARTNER, { today }, { ...page, cursor: first.next! });
  };
  const cases: Record<string, () => Promise<unknown>> = {
    'account: customer (20 entitlements)': account('C1234'),
    'account: partner (1,000)': account('P123'),
    'account: big partner (5 %), first page': account(BIG_PARTNER),
    'account: big partner, second page': secondPage,
    'account: big partner, status=in-grace': account(BIG_PARTNER, { status: 'in-grace' }),
    'account: big partner, status=expired, product=srx': account(BIG_PARTNER, { status: 'expired', product: 'srx' }),
    'account: partner, status=expiring': account('P123', { status: 'expiring' }),
    'by SSRN': () => search.find({ ssrn: 'S001234562' }, today, page),
    'by Activation Code': () => search.find({ activationCode: 'AC00123456-2' }, today, page),
    'by contact address (5 orders)': () => search.find({ email: 'buyer1234@customer.example' }, today, page),
  };
  const results: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(cases)) {
    results[name] = await time(run);
    console.log(`${name}: ${JSON.stringify(results[name])} ms`);
  }
} finally {
  await database.drop();
}
