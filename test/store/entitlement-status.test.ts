import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITLEMENT_STATUSES, EntitlementSearch } from '../../src/store/entitlement-search.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// A status filter is written as plain comparisons (so the planner can estimate it), the status shown as one CASE:
// both must say the same of every entitlement, around every boundary, with and without grace days or an end date.

const TODAY = '2026-12-07';
const OFFSETS = [null, -1, 0, 1, 29, 30, 31, 89, 90, 91, 200];
const GRACE = [0, 30];

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.exec(`
    INSERT INTO events (event_id, digest, record, response, accepted_at, accepted_by)
      VALUES ('e1', 'd', '{}', '{}', now(), 'test');
    INSERT INTO orders (number, end_customer, locale, record, updated_at) VALUES ('1', '{"name":"A"}', 'en', '{}', now());
    INSERT INTO order_accounts (order_number, account_id, role) VALUES ('1', 'ACC', 'customer');
    INSERT INTO fulfillments (id, event_id, order_number, ship_date, certificate_number, ssrns, created_at)
      VALUES ('f1', 'e1', '1', '2025-01-01', 'SEC-1', '{}', now());`);
  let n = 0;
  for (const offset of OFFSETS)
    for (const grace of GRACE) {
      n++;
      await t.db.query(
        `INSERT INTO entitlements (ssrn, activation_code, order_number, event_id, fulfillment_id, position, line_number,
           sku, product, license_name, description, quantity, license_type, purchase, ship_date, start_date, end_date,
           grace_days)
         VALUES ($1, $2, '1', 'e1', 'f1', $3::int, $3::text, 'SKU', 'ex', 'L', 'D', 1, 'subscription', 'initial',
           '2025-01-01', '2025-01-01', $4::date + $5::int, $6)`,
        [`S${String(n).padStart(3, '0')}`, `AC${n}`, n, TODAY, offset, grace],
      );
    }
});
afterAll(async () => {
  await t?.drop();
});

describe('entitlement status', () => {
  it('a filter on each status finds exactly the entitlements shown with that status', async () => {
    const search = new EntitlementSearch(t.db);
    const page = { limit: 100 };
    const all = (await search.byAccount('ACC', { today: TODAY }, page)).items;
    expect(all).toHaveLength(OFFSETS.length * GRACE.length);
    const shown = new Set(all.map((e) => e.status));
    expect([...shown].sort()).toEqual([...ENTITLEMENT_STATUSES].sort());
    for (const status of ENTITLEMENT_STATUSES) {
      const found = (await search.byAccount('ACC', { today: TODAY, status }, page)).items.map((e) => e.ssrn);
      expect(found, status).toEqual(all.filter((e) => e.status === status).map((e) => e.ssrn));
    }
  });
});
