import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectPostgres, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';

/** The machine's PostgreSQL, where each test makes a database of its own. */
export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  db: Db;
  drop(): Promise<void>;
}

async function admin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database; `drop()` removes it, whatever connections are still open. */
export async function createTestDatabase(adminUrl = TEST_PG_ADMIN_URL): Promise<TestDatabase> {
  const name = `lct_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = connectPostgres(url.toString(), { max: 4 });
  await migrate(db);
  return {
    url: url.toString(),
    name,
    db,
    async drop() {
      await db.close().catch(() => undefined);
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
