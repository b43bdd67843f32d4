import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/redis.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { benchEvent } from '../../bench/event-factory.ts';

/** A PostgreSQL cluster of this test's own (initdb, pg_ctl) on a free port, which it can stop and start again. */
async function privatePostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'lc-pg-'));
  const port = await freePort();
  // PostgreSQL refuses to run as root: as root, the cluster runs as the postgres user.
  const asRoot = userInfo().uid === 0;
  const pgUser = asRoot ? Number(execFileSync('id', ['-u', 'postgres']).toString()) : undefined;
  if (asRoot) chownSync(dir, pgUser!, Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const run = (command: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : command, asRoot ? ['-u', 'postgres', '--', command, ...args] : args, {
      stdio: 'ignore',
      timeout: 120_000,
    });
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const pgCtl = (...args: string[]) => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '120', ...args]);
  const start = () => pgCtl('-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start');
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    /** Stopped as by a crash: connections cut, nothing flushed politely. */
    crash: () => pgCtl('-m', 'immediate', 'stop'),
    stop: () => {
      try {
        pgCtl('-m', 'immediate', 'stop');
      } catch {
        /* already stopped */
      }
    },
  };
}

let pipeline: TestPipeline | undefined;
let sink: SmtpSink | undefined;
let postgres: Awaited<ReturnType<typeof privatePostgres>> | undefined;
afterAll(async () => {
  await pipeline?.close().catch(() => undefined);
  await sink?.close();
  postgres?.stop();
});

describe('PostgreSQL restarted mid-run', () => {
  it('loses no accepted event; the API answers 503 while it is down and recovers by itself', async () => {
    postgres = await privatePostgres();
    sink = await startSmtpSink();
    pipeline = await startPipeline({
      DATABASE_URL: postgres.url,
      SMTP_URL: sink.url,
      SEND_BACKOFF_MS: '200',
      SEND_ATTEMPTS: '20',
      SMTP_TIMEOUT_MS: '2000',
      RECONCILE_INTERVAL_MS: '1000',
    });
    const run = `P${Date.now().toString(36).toUpperCase().slice(-4)}`;
    const accepted: number[] = [];
    for (let i = 0; i < 40; i++) {
      expect((await pipeline.post('/v1/fulfillments', benchEvent(run, i, 1, 2))).statusCode).toBe(202);
      accepted.push(i);
    }

    postgres.crash();
    const refused: number[] = [];
    for (let i = 40; i < 45; i++) {
      const res = await pipeline.post('/v1/fulfillments', benchEvent(run, i, 1, 2));
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json()).toEqual({ error: expect.stringContaining('database'), issues: [] });
      refused.push(i);
    }
    const notReady = await pipeline.api.inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().problems).toContainEqual(expect.stringMatching(/^database: /));
    expect((await pipeline.get('/v1/orders/20000000')).statusCode).toBe(503);

    postgres.start();
    // No restart of the service: the same process answers again once the database is back.
    for (let i = 0; (await pipeline.api.inject({ method: 'GET', url: '/readyz' })).statusCode !== 200; i++) {
      expect(i, 'ready again within 30 s').toBeLessThan(300);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The sender retries what was refused, and sends more.
    for (const i of [...refused, ...Array.from({ length: 20 }, (_, k) => 45 + k)]) {
      expect((await pipeline.post('/v1/fulfillments', benchEvent(run, i, 1, 2))).statusCode).toBe(202);
      accepted.push(i);
    }
    // Every recipient of every accepted event, not a count of messages: a send accepted by SMTP while its marker could
    // not be written is sent again, and such a repeat must not stand in for a message still to come. A fan-out that
    // failed during the outage waits out its backoff (seconds to a minute) before it is tried again.
    const expected = accepted.flatMap((i) => [0, 1].map((r) => `user${r}.${i}@bench.example`));
    const missing = () => {
      const got = new Set(sink!.messages.map((m) => m.to[0]));
      return expected.filter((e) => !got.has(e));
    };
    await expect.poll(missing, { timeout: 180_000, interval: 250 }).toEqual([]);
    await pipeline.idle(60_000);
    const order = await pipeline.get('/v1/orders/20000000');
    expect(order.statusCode).toBe(200);
    expect(order.json().fulfillments[0].deliveries.map((d: { status: string }) => d.status)).toEqual(['sent', 'sent']);
  }, 420_000);
});
