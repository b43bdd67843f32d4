import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, get, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { compiledEntry } from '../bin/compiled.mjs';
import { startPrivateRedis, type PrivateRedis } from '../src/demo/redis.ts';
import { spawnScript, spawnService, type ChildService } from '../test/support/child-service.ts';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';
import { benchEvent, SCRIPT_NAMES } from './event-factory.ts';
import { PostgresCpu, cpuSeconds, databaseBytes, peakRssMb } from './usage.ts';
import { renderingFrom, type Rendering } from './fixed-documents.ts';
import { round, summarize } from './stats.ts';

const TOKEN = 'bench-intake-token-0123456789';

export interface LoadResult {
  label: string;
  /** What the service processes ran: dist/ (`npm run build`, as in production) or the sources through tsx. */
  code: 'dist' | 'tsx';
  events: number;
  messages: number;
  seconds: number;
  eventsPerSecond: number;
  messagesPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number };
  peakRssMb: Record<string, number>;
  /**
   * Peak V8 heap (used / reserved) and memory outside it (Buffers, fonts' ArrayBuffers), from process.memoryUsage().
   */
  peakHeapMb: Record<string, { used: number; total: number; external: number }>;
  /** CPU time (user + system) each process spent per event in the measured window: where the machine's time goes. */
  cpuMsPerEvent: Record<string, number>;
  redisBytesPerEntitlement: number;
  /** Growth of pg_database_size over the measured window, per event (3 lines, 3 recipients). */
  postgresBytesPerEvent: number;
  /** How many PostgreSQL backends served the benchmark's database in the window (their CPU is `postgres` above). */
  postgresBackends: number;
}

const MEMORY_PROBE = fileURLToPath(new URL('./memory-probe.mjs', import.meta.url));
const mb = (bytes: number) => round(bytes / 1048576, 1);
export const usedMemory = async (r: Redis) => Number(/used_memory:(\d+)/.exec(await r.info('memory'))![1]);

/** The peaks bench/memory-probe.mjs recorded in a service process, or this process's own figures now. */
export function heapMb(memoryDir: string, pid: number): LoadResult['peakHeapMb'][string] {
  const peak =
    pid === process.pid
      ? process.memoryUsage()
      : (JSON.parse(readFileSync(join(memoryDir, `${pid}.json`), 'utf8')) as { peak: NodeJS.MemoryUsage }).peak;
  return { used: mb(peak.heapUsed), total: mb(peak.heapTotal), external: mb(peak.external) };
}

export interface Rig {
  redis: PrivateRedis;
  /** A fresh database on the machine's PostgreSQL (TEST_PG_ADMIN_URL), dropped by close(). */
  database: TestDatabase;
  api: ChildService;
  sinkPort: number;
  accepted: Map<string, number>;
  sink: ChildProcess;
  workers: ChildService[];
  env: Record<string, string>;
  post(event: unknown): Promise<number>;
  close(): Promise<void>;
  apiPid: number;
  /** Where the service processes' memory probes write. */
  memoryDir: string;
}

// Per worker process. More sends in flight let a worker handle more replies per turn of its event loop: in alternating
// runs, 100 sends and 20 connections gave 8 to 11% more events/s than 40 and 10, and 200 and 20 another 5 to 10%.
// 20 connections per process stays well under an MTA's usual limit per client (Postfix: 50). The service's defaults
// are 10 and 5.
const SEND_CONCURRENCY = Number(process.env.BENCH_SEND_CONCURRENCY ?? 200);
const SMTP_POOL_SIZE = Number(process.env.BENCH_SMTP_POOL_SIZE ?? 20);

/** `fixed` documents: each worker sends the first certificate and email it rendered, for every message. */
const FIXED_DOCUMENTS_WORKER = fileURLToPath(new URL('./fixed-documents-worker.ts', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits until the API process answers /healthz, or fails with what it printed. */
async function apiListening(api: ChildService, base: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await new Promise<number>((resolve) =>
      get(`${base}/healthz`, (res) => res.resume().on('end', () => resolve(res.statusCode!))).on('error', () =>
        resolve(0),
      ),
    );
    if (status === 200) return;
    if (api.process.exitCode !== null || Date.now() > deadline)
      throw new Error(`the API process did not start:\n${api.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Redis, a fresh PostgreSQL database, an SMTP sink process, the API process and N worker processes, all on loopback;
 * this process only generates the load.
 */
export async function startRig(
  workerCount: number,
  prefix: string,
  startWorkers = true,
  documents: Rendering = 'rendered',
): Promise<Rig> {
  const redis = await startPrivateRedis(['--maxmemory-policy', 'noeviction']);
  const database = await createTestDatabase();
  const sink = fork(fileURLToPath(new URL('./smtp-sink-process.ts', import.meta.url)), ['0'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const accepted = new Map<string, number>();
  const memoryDir = mkdtempSync(join(tmpdir(), 'bench-memory-'));
  const sinkPort = await new Promise<number>((resolve) => {
    sink.on('message', (m: { ready?: number; accepted?: Array<[string, number]> }) => {
      if (m.ready) resolve(m.ready);
      for (const [id, at] of m.accepted ?? []) accepted.set(id, at);
    });
  });
  const env = {
    REDIS_URL: redis.url,
    DATABASE_URL: database.url,
    KEY_PREFIX: prefix,
    SMTP_URL: `smtp://127.0.0.1:${sinkPort}`,
    SMTP_POOL_SIZE: String(SMTP_POOL_SIZE),
    SEND_CONCURRENCY: String(SEND_CONCURRENCY),
    SEND_RATE_PER_SECOND: '100000',
    LOG_LEVEL: 'warn',
    API_TOKENS: `${TOKEN}:intake`,
    MAIL_FROM: 'Licensing <licensing@bench.example>',
    BENCH_MEMORY_DIR: memoryDir,
    // The service processes run as bin/license-courier.mjs starts them: dist/ when built and current, else tsx.
    CHILD_NODE_ARGS: `--import ${MEMORY_PROBE} ${process.env.CHILD_NODE_ARGS ?? ''}`,
  };
  const port = await freePort();
  const api = spawnService('api', { ...env, API_HOST: '127.0.0.1', API_PORT: String(port) });
  try {
    await apiListening(api, `http://127.0.0.1:${port}`);
  } catch (error) {
    api.process.kill('SIGTERM');
    sink.disconnect();
    await redis.stop();
    await database.drop();
    throw error;
  }
  const url = `http://127.0.0.1:${port}/v1/fulfillments`;
  // The load generator shares the machine: kept-alive node:http costs it a fraction of what fetch does.
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const startWorker = () =>
    documents === 'fixed' ? spawnScript(FIXED_DOCUMENTS_WORKER, env) : spawnService('worker', env);
  const workers = startWorkers ? Array.from({ length: workerCount }, startWorker) : [];
  return {
    redis,
    database,
    api,
    sinkPort,
    accepted,
    sink,
    workers,
    env,
    apiPid: api.process.pid!,
    memoryDir,
    async post(event) {
      return new Promise<number>((resolve, reject) => {
        const body = JSON.stringify(event);
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              authorization: `Bearer ${TOKEN}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) =>
            res
              .resume()
              .on('end', () => resolve(res.statusCode!))
              .on('error', reject),
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    async close() {
      for (const w of [...workers, api]) w.process.kill('SIGTERM');
      await Promise.all([...workers, api].map((w) => w.exited));
      agent.destroy();
      sink.disconnect();
      await redis.stop();
      await database.drop();
    },
  };
}

async function waitForMessages(rig: Rig, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (rig.accepted.size < count) {
    if (Date.now() > deadline) throw new Error(`only ${rig.accepted.size} of ${count} messages arrived`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * BENCH_SCRIPTS=ja: company names in Japanese (the fonts workers had before the other scripts); =all: in every script
 * the certificate has a font for (bench/event-factory.ts). Unset: Latin only.
 */
const SCRIPTS = process.env.BENCH_SCRIPTS as keyof typeof SCRIPT_NAMES | undefined;
if (SCRIPTS && !(SCRIPTS in SCRIPT_NAMES)) throw new Error('BENCH_SCRIPTS must be ja or all');
const NAMES = SCRIPTS && SCRIPT_NAMES[SCRIPTS];

/** BENCH_WARMUP_EVENTS (3,000) go through the service before measuring, numbered from WARMUP_ORDERS up. */
const WARMUP_EVENTS = Number(process.env.BENCH_WARMUP_EVENTS ?? 3000);
const WARMUP_ORDERS = 5_000_000;

/**
 * Submits events (3 lines, 3 recipients each) either as fast as the API takes them (`rate` undefined: saturation)
 * or at a fixed offered rate for `seconds`, and measures until every message is accepted by the SMTP sink.
 */
export async function runLoad(
  label: string,
  options: { workers: number; events?: number; rate?: number; seconds?: number; documents?: Rendering },
): Promise<LoadResult> {
  const run = `R${Date.now().toString(36).toUpperCase().slice(-4)}`;
  const rig = await startRig(options.workers, `bench-${run.toLowerCase()}`, true, options.documents);
  try {
    // Warm-up (orders of their own, so none is taken for a measured one): fonts parsed, templates compiled,
    // connections pooled, and V8 done optimizing. perf showed a worker still spending an eighth of its CPU in the
    // optimizing compiler at 1,300 events, and under 2% at 5,000: a service runs for hours, so measure it warm.
    let warm = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (warm < WARMUP_EVENTS) await rig.post(benchEvent(`${run}W`, WARMUP_ORDERS + warm++, 3, 3, NAMES));
      }),
    );
    await waitForMessages(rig, WARMUP_EVENTS * 3, 600_000);
    const admin = new Redis(rig.redis.url);
    const memoryBefore = await usedMemory(admin);
    const databaseBefore = await databaseBytes(rig.database.db);

    const processes: Record<string, number> = {
      api: rig.apiPid,
      ...Object.fromEntries(rig.workers.map((w, i) => [`worker${i + 1}`, w.process.pid!])),
      smtpSink: rig.sink.pid!,
      redis: rig.redis.pid,
      driver: process.pid,
    };
    const postgresCpu = new PostgresCpu(rig.database.db);
    await postgresCpu.begin();
    const cpuBefore = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSeconds(pid)]));
    const submitted = new Map<string, number>();
    const total = options.rate ? Math.round(options.rate * (options.seconds ?? 60)) : (options.events ?? 1000);
    const start = Date.now();
    let next = 0;
    const submitOne = async (i: number) => {
      const event = benchEvent(run, i, 3, 3, NAMES);
      submitted.set(event.salesOrder.number, Date.now());
      const status = await rig.post(event);
      if (status !== 202) throw new Error(`intake answered ${status}`);
    };
    if (options.rate) {
      const interval = 1000 / options.rate;
      const inflight: Promise<void>[] = [];
      for (let i = 0; i < total; i++) {
        const due = start + i * interval;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        inflight.push(submitOne(i));
      }
      await Promise.all(inflight);
    } else {
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < total) await submitOne(next++);
        }),
      );
    }
    const expected = WARMUP_EVENTS * 3 + total * 3;
    await waitForMessages(rig, expected, 600_000);
    const end = Math.max(...[...rig.accepted.values()]);
    const latencies: number[] = [];
    for (const [id, at] of rig.accepted) {
      const order = /<f-(\d+)-/.exec(id)?.[1];
      const sent = order && submitted.get(order);
      if (sent) latencies.push(at - sent);
    }
    const cpuMsPerEvent = Object.fromEntries(
      Object.entries(processes).map(([name, pid]) => [
        name,
        round(((cpuSeconds(pid) - cpuBefore[name]!) * 1000) / total, 2),
      ]),
    );
    const postgres = await postgresCpu.end();
    cpuMsPerEvent.postgres = round((postgres.seconds * 1000) / total, 2);
    const memoryAfter = await usedMemory(admin);
    const databaseAfter = await databaseBytes(rig.database.db);
    admin.disconnect();
    const seconds = (end - start) / 1000;
    const s = summarize(latencies);
    return {
      label,
      code: compiledEntry() ? 'dist' : 'tsx',
      events: total,
      messages: total * 3,
      seconds: round(seconds, 1),
      eventsPerSecond: round(total / seconds, 1),
      messagesPerSecond: round((total * 3) / seconds, 1),
      latencyMs: { p50: round(s.median, 0), p95: round(s.p95, 0), p99: round(s.p99, 0) },
      peakRssMb: {
        api: peakRssMb(rig.apiPid),
        ...Object.fromEntries(rig.workers.map((w, i) => [`worker${i + 1}`, peakRssMb(w.process.pid!)])),
        smtpSink: peakRssMb(rig.sink.pid!),
        driver: round(process.resourceUsage().maxRSS / 1024, 1),
      },
      peakHeapMb: {
        api: heapMb(rig.memoryDir, rig.apiPid),
        ...Object.fromEntries(rig.workers.map((w, i) => [`worker${i + 1}`, heapMb(rig.memoryDir, w.process.pid!)])),
        driver: heapMb(rig.memoryDir, process.pid),
      },
      cpuMsPerEvent,
      redisBytesPerEntitlement: Math.round((memoryAfter - memoryBefore) / (total * 3)),
      postgresBytesPerEvent: Math.round((databaseAfter - databaseBefore) / total),
      postgresBackends: postgres.backends,
    };
  } finally {
    await rig.close();
  }
}

// Alone: BENCH_EVENTS at once (saturation), or BENCH_RATE events/s for BENCH_SECONDS; BENCH_WORKERS processes (2);
// BENCH_DOCUMENTS=fixed for the pipeline alone; BENCH_SCRIPTS=ja or all for names in other scripts.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rate = Number(process.env.BENCH_RATE ?? 0);
  const workers = Number(process.env.BENCH_WORKERS ?? 2);
  const documents = renderingFrom('BENCH_DOCUMENTS', process.env.BENCH_DOCUMENTS);
  const result = rate
    ? await runLoad(`${rate}/s`, { workers, rate, seconds: Number(process.env.BENCH_SECONDS ?? 20), documents })
    : await runLoad(
        `saturation${documents === 'fixed' ? ', documents fixed' : ''}${SCRIPTS ? `, names: ${SCRIPTS}` : ''}`,
        {
          workers,
          events: Number(process.env.BENCH_EVENTS ?? 500),
          documents,
        },
      );
  console.log(JSON.stringify(result, null, 2));
}
