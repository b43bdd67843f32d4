import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, redisAnswers } from '../../src/demo/redis.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { benchEvent } from '../../bench/event-factory.ts';

/** A private redis-server that persists every write (AOF, appendfsync always) and can be restarted on the same port. */
async function persistentRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'lc-redis-'));
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await redisAnswers(`redis://127.0.0.1:${port}`)); i++) await new Promise((r) => setTimeout(r, 50));
  };
  const kill = () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGKILL'); });
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, kill };
}

let pipeline: TestPipeline | undefined;
let sink: SmtpSink | undefined;
let redis: Awaited<ReturnType<typeof persistentRedis>> | undefined;
afterAll(async () => {
  await pipeline?.close().catch(() => undefined);
  await sink?.close();
  await redis?.kill();
});

describe('Redis restarted mid-run', () => {
  it('loses no accepted event; API and workers recover by themselves', async () => {
    redis = await persistentRedis();
    sink = await startSmtpSink();
    pipeline = await startPipeline({ REDIS_URL: redis.url, SMTP_URL: sink.url, SEND_BACKOFF_MS: '200', SEND_ATTEMPTS: '20', SMTP_TIMEOUT_MS: '2000' });
    const run = `D${Date.now().toString(36).toUpperCase().slice(-4)}`;
    const accepted: number[] = [];
    for (let i = 0; i < 40; i++) if ((await pipeline.post('/v1/fulfillments', benchEvent(run, i, 1, 2))).statusCode === 202) accepted.push(i);
    // Killed outright, not shut down: only what AOF wrote survives.
    await redis.kill();
    // A request arriving during the outage waits for Redis instead of failing.
    const pending = pipeline.post('/v1/fulfillments', benchEvent(run, 999, 1, 2));
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    const duringOutage = await pending;
    expect(duringOutage.statusCode).toBe(202);
    accepted.push(999);
    for (let i = 40; i < 80; i++) if ((await pipeline.post('/v1/fulfillments', benchEvent(run, i, 1, 2))).statusCode === 202) accepted.push(i);
    expect(accepted).toHaveLength(81);
    await sink.waitFor(accepted.length * 2, 120_000);
    await pipeline.idle(60_000);
    const recipients = new Set(sink.messages.map((m) => m.to[0]));
    for (const i of accepted) expect(recipients.has(`user0.${i}@bench.example`), `event ${i}`).toBe(true);
  }, 200_000);
});
