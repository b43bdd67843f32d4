import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/redis.ts';
import { redisAnswers } from '../../src/store/connection.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { benchEvent } from '../../bench/event-factory.ts';

/**
 * A private redis-server that can be restarted on the same port: persisting every write (AOF, appendfsync always), or
 * nothing at all, so that a restart finds it empty.
 */
async function privateRedis(persistence: 'aof' | 'none') {
  const dir = mkdtempSync(join(tmpdir(), 'lc-redis-'));
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        persistence === 'aof' ? 'yes' : 'no',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100 && !(await redisAnswers(`redis://127.0.0.1:${port}`)); i++)
      await new Promise((r) => setTimeout(r, 50));
  };
  const kill = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, kill };
}

let pipeline: TestPipeline | undefined;
let sink: SmtpSink | undefined;
let redis: Awaited<ReturnType<typeof privateRedis>> | undefined;
afterEach(async () => {
  await pipeline?.close().catch(() => undefined);
  await sink?.close();
  await redis?.kill();
  pipeline = sink = redis = undefined;
});

describe('Redis restarted mid-run', () => {
  it('loses no accepted event; API and workers recover by themselves', async () => {
    redis = await privateRedis('aof');
    sink = await startSmtpSink();
    pipeline = await startPipeline({
      REDIS_URL: redis.url,
      SMTP_URL: sink.url,
      SEND_BACKOFF_MS: '200',
      SEND_ATTEMPTS: '20',
      SMTP_TIMEOUT_MS: '2000',
    });
    const run = `D${Date.now().toString(36).toUpperCase().slice(-4)}`;
    const accepted: number[] = [];
    for (let i = 0; i < 40; i++)
      if ((await pipeline.post('/v1/fulfillments', benchEvent(run, i, 1, 2))).statusCode === 202) accepted.push(i);
    // Killed outright, not shut down: only what AOF wrote survives.
    await redis.kill();
    // A request arriving during the outage waits for Redis instead of failing.
    const pending = pipeline.post('/v1/fulfillments', benchEvent(run, 999, 1, 2));
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    const duringOutage = await pending;
    expect(duringOutage.statusCode).toBe(202);
    accepted.push(999);
    for (let i = 40; i < 80; i++)
      if ((await pipeline.post('/v1/fulfillments', benchEvent(run, i, 1, 2))).statusCode === 202) accepted.push(i);
    expect(accepted).toHaveLength(81);
    await sink.waitFor(accepted.length * 2, 120_000);
    await pipeline.idle(60_000);
    const recipients = new Set(sink.messages.map((m) => m.to[0]));
    for (const i of accepted) expect(recipients.has(`user0.${i}@bench.example`), `event ${i}`).toBe(true);
  }, 200_000);

  it('with no persistence at all: the restarted, empty Redis gets its jobs back from PostgreSQL, and every accepted event is delivered', async () => {
    redis = await privateRedis('none');
    sink = await startSmtpSink();
    // Five sends a second keep most of the work queued when Redis dies; the reconciler runs every second.
    pipeline = await startPipeline({
      REDIS_URL: redis.url,
      SMTP_URL: sink.url,
      SEND_BACKOFF_MS: '200',
      SEND_ATTEMPTS: '20',
      SMTP_TIMEOUT_MS: '2000',
      SEND_RATE_PER_SECOND: '5',
      RECONCILE_INTERVAL_MS: '1000',
    });
    const run = `N${Date.now().toString(36).toUpperCase().slice(-4)}`;
    for (let i = 0; i < 60; i++)
      expect((await pipeline.post('/v1/fulfillments', benchEvent(run, i, 1, 2))).statusCode).toBe(202);
    // Every job, queued or delayed, is gone with it.
    await redis.kill();
    await redis.start();
    // The point of the test: work was left in the queues that died.
    expect(sink.messages.length).toBeLessThan(120);
    await sink.waitFor(120, 120_000);
    await pipeline.idle(60_000);
    const recipients = new Set(sink.messages.map((m) => m.to[0]));
    for (let i = 0; i < 60; i++)
      for (const r of [0, 1])
        expect(recipients.has(`user${r}.${i}@bench.example`), `event ${i} recipient ${r}`).toBe(true);
  }, 200_000);
});
