import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Db, type Queryable } from '../../src/store/db.ts';
import { migrate, migrations } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

async function roundTrip(db: Queryable) {
  await db.exec('CREATE TEMP TABLE t (d date, ts timestamptz, n bigint, b bytea, j jsonb)');
  await db.query('INSERT INTO t VALUES ($1, $2, $3, $4, $5)', [
    '2028-02-29',
    '2026-12-07T10:00:00.5Z',
    42,
    Buffer.from([0, 1, 255]),
    { a: [1] },
  ]);
  return (await db.query<{ d: unknown; ts: unknown; n: unknown; b: unknown; j: unknown }>('SELECT * FROM t'))[0]!;
}

const expected = { d: '2028-02-29', ts: '2026-12-07T10:00:00.500Z', n: 42, b: Buffer.from([0, 1, 255]), j: { a: [1] } };

describe('the database adapter', () => {
  let server: TestDatabase;
  let lite: Db;
  beforeAll(async () => {
    server = await createTestDatabase();
    lite = await openPglite(join(mkdtempSync(join(tmpdir(), 'lc-pglite-')), 'db'));
  }, 180_000); // PGlite compiles its WebAssembly on first open: seconds on a quiet machine, far more on a loaded one
  afterAll(async () => {
    await server?.drop();
    await lite?.close();
  });

  it('gives back dates, instants, bigints, bytes and JSON alike from PostgreSQL and PGlite', async () => {
    expect(await server.db.transaction(roundTrip)).toEqual(expected);
    expect(await lite.transaction(roundTrip)).toEqual(expected);
  });

  it('rolls a transaction back when it throws', async () => {
    await server.db.exec('CREATE TABLE r (x int)');
    await expect(
      server.db.transaction(async (tx) => {
        await tx.query('INSERT INTO r VALUES (1)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await server.db.query('SELECT * FROM r')).toEqual([]);
  });

  it('migrates once, also when several processes start at once, on both', async () => {
    const again = await Promise.all([migrate(server.db), migrate(server.db), migrate(server.db)]);
    expect(again).toEqual([[], [], []]);
    expect(await migrate(lite)).toEqual(migrations().map((m) => m.version));
    expect(await migrate(lite)).toEqual([]);
    const tables = await lite.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'entitlements'",
    );
    expect(tables[0]!.n).toBe(1);
  });
});

describe('plans on a PostgreSQL server', () => {
  let server: TestDatabase;
  beforeAll(async () => {
    server = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.drop();
  });

  const LOOKUP = 'SELECT event_id FROM events WHERE event_id = $1';
  const SEARCH = 'SELECT event_id FROM events WHERE accepted_at > $1 ORDER BY accepted_at LIMIT 10';

  it('keeps the plan of a lookup by key, and plans a search for the values of each call', async () => {
    const plans = await server.db.transaction(async (tx) => {
      for (let i = 0; i < 8; i++) {
        await tx.query(LOOKUP, [`e${i}`]);
        await tx.query(SEARCH, [new Date(Date.UTC(2026, 0, i + 1)).toISOString()], { planPerCall: true });
      }
      return tx.query<{ statement: string; generic_plans: number; custom_plans: number }>(
        'SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements',
      );
    });
    const lookup = plans.find((p) => p.statement === LOOKUP);
    // PostgreSQL plans the first five calls for their values, then keeps a generic plan that costs no more.
    expect(lookup).toMatchObject({ custom_plans: 5, generic_plans: 3 });
    // Unnamed: never kept, planned at every call.
    expect(plans.some((p) => p.statement === SEARCH)).toBe(false);
  });
});
