import { createHash } from 'node:crypto';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { StoreUnavailableError } from '../errors.ts';

/** What a repository needs to run SQL: the pool itself, or the one connection of a transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface QueryOptions {
  /**
   * For searches: planned for the values of each call, because the best plan depends on them (an account with 50,000
   * entitlements or with 3, a date range, filters left out). Every other statement is prepared once per connection,
   * and PostgreSQL keeps its plan when a generic one costs no more than planning anew (plan_cache_mode auto): what a
   * lookup or write by key gets, saving the planning on each call.
   */
  planPerCall?: boolean;
}

/**
 * The system of record. The same SQL runs on a PostgreSQL server (`pg`) and on embedded PostgreSQL (PGlite), so no
 * query is written twice; values come back alike from both: dates as `YYYY-MM-DD`, timestamps as ISO strings,
 * bigints as numbers, bytea as Buffer.
 */
export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const OID = { int8: 20, date: 1082, timestamp: 1114, timestamptz: 1184 } as const;

const asIso = (text: string) =>
  new Date(text.includes('T') || /[+-]\d\d(:\d\d)?$/.test(text) ? text : `${text}Z`).toISOString();

/** Type parsers shared by both drivers, keyed by type OID. */
const textParsers: Record<number, (text: string) => unknown> = {
  [OID.int8]: (text) => Number(text),
  [OID.date]: (text) => text,
  [OID.timestamp]: asIso,
  [OID.timestamptz]: asIso,
};

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

const CONNECTION_LOST = new RegExp(
  'Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|' +
    'not queryable',
  'i',
);

/** Whether an error means the server is out of reach (down, restarting, connection lost) rather than a bad query. */
export function isUnavailable(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return (
    (typeof code === 'string' && (/^(08|57P)/.test(code) || NETWORK_ERRORS.has(code))) ||
    CONNECTION_LOST.test(message ?? '')
  );
}

/** Whether a write failed on a unique constraint: the row it would have written is there already. */
export const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

/** Rethrows a lost connection as StoreUnavailableError (HTTP 503, a retried job); anything else as it is. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isUnavailable(error) ? new StoreUnavailableError(`database unavailable: ${(error as Error).message}`) : error;
  }
}

const statementNames = new Map<string, string>();
/** A stable name per statement text; the texts are the repositories' own, so the map stays small. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) statementNames.set(sql, (name = `lc_${createHash('sha1').update(sql).digest('base64url')}`));
  return name;
}

export function connectPostgres(url: string, options: { max?: number } = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // PostgreSQL's default, named because the statements rely on it whatever the server is configured with: a prepared
    // lookup or write keeps its plan once a generic one costs no more; searches go unnamed (QueryOptions.planPerCall).
    options: '-c plan_cache_mode=auto',
    // No connectionTimeoutMillis: pg counts the wait for a free pool client against it, so a burst of queries larger
    // than the pool would fail. A server that is down refuses connections at once (ECONNREFUSED: a 503) anyway.
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        textParsers[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server (PostgreSQL restarted) must not crash the process: the pool replaces it.
  pool.on('error', () => undefined);
  // A statement with parameters is prepared once per connection under a name derived from its text: the server then
  // skips parsing and analysing it on every later call, which is most of what a short statement costs it. A search
  // goes unnamed, which PostgreSQL plans for the values it is bound to.
  const run = async <Row>(client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[], options?: QueryOptions) =>
    (
      await client.query(
        params?.length && !options?.planPerCall
          ? { name: statementName(sql), text: sql, values: params }
          : { text: sql, ...(params && { values: params }) },
      )
    ).rows as Row[];
  return {
    kind: 'postgres',
    query: (sql, params, options) => guarded(() => run(pool, sql, params, options)),
    exec: (sql) => guarded(async () => void (await pool.query(sql))),
    async transaction(fn) {
      const client = await guarded(() => pool.connect());
      // A connection lost between two statements is reported as an event on the checked-out client; the next
      // statement fails anyway, so the event itself must not go unhandled (it would crash the process).
      const ignore = () => undefined;
      client.on('error', ignore);
      const release = (error?: Error) => {
        client.off('error', ignore);
        client.release(error);
      };
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: (sql, params, options) => run(client, sql, params, options),
          exec: async (sql) => void (await client.query(sql)),
        });
        await client.query('COMMIT');
        release();
        return result;
      } catch (error) {
        const lost = isUnavailable(error);
        if (!lost) await client.query('ROLLBACK').catch(() => undefined);
        // A connection that failed mid-transaction is not given back to the pool.
        release(lost ? (error as Error) : undefined);
        throw lost ? new StoreUnavailableError(`database unavailable: ${(error as Error).message}`) : error;
      }
    },
    close: () => pool.end(),
  };
}

/** Embedded PostgreSQL in `dataDir` (or in memory for `memory://`): one process, one connection. */
export async function openPglite(dataDir: string): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const lite: PGlite = await PGlite.create(dataDir, { parsers: textParsers });
  const toBuffers = <Row>(rows: unknown[]) =>
    rows.map((row) => {
      for (const [k, v] of Object.entries(row as Record<string, unknown>)) {
        if (v instanceof Uint8Array && !Buffer.isBuffer(v))
          (row as Record<string, unknown>)[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      }
      return row as Row;
    });
  return {
    kind: 'pglite',
    query: async (sql, params) => toBuffers((await lite.query(sql, params)).rows),
    exec: async (sql) => void (await lite.exec(sql)),
    transaction: (fn) =>
      lite.transaction((tx) =>
        fn({
          query: async (sql, params) => toBuffers((await tx.query(sql, params)).rows),
          exec: async (sql) => void (await tx.exec(sql)),
        }),
      ),
    close: () => lite.close(),
  };
}
