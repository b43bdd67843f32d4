import { readdirSync, readFileSync } from 'node:fs';
import type { Db } from './db.ts';
import { projectFile } from '../project-files.ts';

const MIGRATIONS_DIR = projectFile('src/store/migrations/');

// Any fixed number: every process of the service takes the same advisory lock before migrating.
const MIGRATION_LOCK = 7_315_022;

export interface Migration {
  version: string;
  sql: string;
}

/** The versioned SQL files, in order: `NNN_name.sql`, applied once each, never edited after they ship. */
export function migrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ''), sql: readFileSync(`${dir}${f}`, 'utf8') }));
}

/**
 * Applies the migrations not applied yet, in one transaction under an advisory lock: several processes starting at
 * once wait for the first, then find nothing left to do. Returns the versions it applied.
 */
export async function migrate(db: Db, all: Migration[] = migrations()): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set(
      (await tx.query<{ version: string }>('SELECT version FROM schema_migrations')).map((r) => r.version),
    );
    const applied: string[] = [];
    for (const m of all.filter((x) => !done.has(x.version))) {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      applied.push(m.version);
    }
    return applied;
  });
}
