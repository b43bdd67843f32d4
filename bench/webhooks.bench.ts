import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createContext } from '../src/app/context.ts';
import { createLogger } from '../src/logger.ts';
import { createWebhooks } from '../src/app/webhooks.ts';
import { loadConfig } from '../src/config.ts';
import { clearPrefix } from '../src/store/clear-prefix.ts';
import { createEndpoint } from '../src/webhooks/admin.ts';
import { webhookEvent } from '../src/webhook-rules/events.ts';
import { spawnScript } from '../test/support/child-service.ts';
import { createTestDatabase } from '../test/support/database.ts';
import { WebhookReceiver } from '../test/support/webhook-receiver.ts';
import { SAMPLE_EVENTS } from '../test/support/webhooks.ts';
import { round, summarize } from './stats.ts';

const WORKER = fileURLToPath(new URL('../test/support/webhook-worker-process.ts', import.meta.url));
const WARMUP_EVENTS = 300;

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * Webhook fan-out: `rate` events/s recorded in the outbox (each in a transaction of its own, as a state change does),
 * each wanted by `endpoints` endpoints, each endpoint a local receiver that verifies every signature; one webhook
 * worker process relays and sends. Measures deliveries/s, the latency from an event's commit to its verified receipt,
 * and CPU per event of the worker and of this process (driver and receivers). `alongside` runs at the same time.
 */
export async function runWebhookFanOut(options: {
  rate: number;
  seconds: number;
  endpoints: number;
  alongside?: () => Promise<unknown>;
}) {
  const database = await createTestDatabase();
  const prefix = `bench-wh-${Date.now().toString(36)}`;
  const env = {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    WEBHOOK_CONCURRENCY: process.env.BENCH_WEBHOOK_CONCURRENCY ?? '50',
    DATABASE_URL: database.url,
    WEBHOOK_RELAY_INTERVAL_MS: '100',
  };
  const ctx = await createContext(loadConfig(env), { logger: createLogger('warn', process.stderr) });
  const webhooks = createWebhooks(ctx);
  const receivers = await Promise.all(Array.from({ length: options.endpoints }, () => new WebhookReceiver().start()));
  for (const r of receivers)
    r.secret = (await createEndpoint(webhooks.admin, { url: r.url, eventTypes: ['delivery.sent'] }, 'bench')).secret;
  const arrived = () => receivers.reduce((n, r) => n + r.requests.length, 0);
  const worker = spawnScript(WORKER, env);
  try {
    const recordedAt = new Map<string, number>();
    const record = async (i: number) => {
      const event = webhookEvent(
        'delivery.sent',
        `${prefix}-${i}`,
        { ...SAMPLE_EVENTS['delivery.sent'], deliveryId: `bench-${i}` },
        new Date(),
      );
      await ctx.db.transaction((tx) => webhooks.outbox.record(tx, event));
      recordedAt.set(event.id, Date.now());
    };
    for (let i = 0; i < WARMUP_EVENTS; i++) await record(-1 - i);
    await receivers[0]!.waitFor(() => arrived() >= WARMUP_EVENTS * options.endpoints, 120_000, 'warm-up');
    const before = receivers.map((r) => r.requests.length);
    const processes = { webhookWorker: worker.process.pid!, driverAndReceivers: process.pid };
    const cpuBefore = Object.fromEntries(Object.entries(processes).map(([k, pid]) => [k, cpuSeconds(pid)]));
    const alongside = options.alongside?.();
    const total = options.rate * options.seconds;
    const start = Date.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / options.rate - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(record(i));
    }
    await Promise.all(pending);
    const expected = (WARMUP_EVENTS + total) * options.endpoints;
    await receivers[0]!.waitFor(() => arrived() >= expected, 600_000, 'fan-out');
    const end = Math.max(...receivers.map((r) => r.requests.at(-1)!.receivedAt));
    const cpuMsPerEvent = Object.fromEntries(
      Object.entries(processes).map(([k, pid]) => [k, round(((cpuSeconds(pid) - cpuBefore[k]!) * 1000) / total, 2)]),
    );
    const alongsideResult = await alongside;
    const latencies = receivers.flatMap((r, i) =>
      r.requests.slice(before[i]).map((x) => x.receivedAt - recordedAt.get(x.webhookId)!),
    );
    const s = summarize(latencies);
    const seconds = (end - start) / 1000;
    return {
      label: `webhook fan-out: ${options.rate} events/s to ${options.endpoints} endpoints${options.alongside ? ', alongside the e2e load' : ''}`,
      deliveries: total * options.endpoints,
      seconds: round(seconds, 1),
      deliveriesPerSecond: round((total * options.endpoints) / seconds, 1),
      latencyMs: { p50: round(s.median, 0), p95: round(s.p95, 0), p99: round(s.p99, 0) },
      signatureFailures: receivers.reduce((n, r) => n + r.rejected.length, 0),
      repeats: receivers.reduce((n, r) => n + r.requests.length - r.unique().size, 0),
      cpuMsPerEvent,
      ...(alongsideResult !== undefined && { alongside: alongsideResult }),
    };
  } finally {
    worker.process.kill('SIGKILL');
    await worker.exited;
    await Promise.all(receivers.map((r) => r.stop()));
    await webhooks.close();
    await ctx.close();
    await clearPrefix(env.REDIS_URL, prefix);
    await database.drop();
  }
}

// Alone: BENCH_WEBHOOK_RATE events/s (100) for BENCH_SECONDS (30) to BENCH_ENDPOINTS endpoints (3): 300 deliveries/s.
// BENCH_ALONGSIDE=1 runs the e2e load (intake to SMTP, BENCH_ALONGSIDE_RATE events/s, 100; bench/e2e.bench.ts) at the
// same time.
if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 30);
  const alongsideRate = Number(process.env.BENCH_ALONGSIDE_RATE ?? 100);
  const { runLoad } = await import('./e2e.bench.ts');
  const result = await runWebhookFanOut({
    rate: Number(process.env.BENCH_WEBHOOK_RATE ?? 100),
    seconds,
    endpoints: Number(process.env.BENCH_ENDPOINTS ?? 3),
    ...(process.env.BENCH_ALONGSIDE === '1' && {
      alongside: () => runLoad(`${alongsideRate}/s`, { workers: 2, rate: alongsideRate, seconds }),
    }),
  });
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}
