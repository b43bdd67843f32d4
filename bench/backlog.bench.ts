import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FULFILLMENT_QUEUE } from '../queues/fulfillment.queue.ts';
import { SEND_QUEUE } from '../queues/send.queue.ts';
import { storeKeys } from '../src/store/keys.ts';
import { spawnService, type ChildService } from '../test/support/child-service.ts';
import { heapMb, startRig, usedMemory } from './e2e.bench.ts';
import { benchEvent } from './event-factory.ts';
import { round } from './stats.ts';
import { databaseBytes, peakRssMb } from './usage.ts';

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
/**
 * After the last message reached the sink: the markers written after each 250 and BullMQ's clean-up of finished jobs.
 */
const SETTLE_MS = 5_000;

const openQueue = (connection: Redis, prefix: string, name: string) => new Queue(name, { connection, prefix });

const WARMUP_EVENTS = 20;

/** Jobs still waiting, delayed or running on the fan-out and send queues. */
async function queuedJobs(admin: Redis, keyPrefix: string): Promise<number> {
  const queues = [FULFILLMENT_QUEUE, SEND_QUEUE].map((name) =>
    openQueue(admin, storeKeys(keyPrefix).queuePrefix, name),
  );
  const counts = await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'delayed', 'active', 'prioritized')));
  await Promise.all(queues.map((q) => q.close()));
  return counts.reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
}

/**
 * Redis's used_memory once the queues are empty (a fan-out the reconciler queued again while the first one finished
 * is still worked off after the last message), finished jobs are cleaned up and the workers are gone: what it keeps
 * between loads.
 */
async function idleRedisMemory(admin: Redis, keyPrefix: string, workers: ChildService[]): Promise<number> {
  while ((await queuedJobs(admin, keyPrefix)) > 0) await new Promise((r) => setTimeout(r, 500));
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  for (const w of workers) w.process.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  return usedMemory(admin);
}

/** `events` events (1 line, 1 recipient) accepted while no worker runs, then drained by two workers. */
export async function runBacklog(events: number) {
  const run = `B${Date.now().toString(36).toUpperCase().slice(-4)}`;
  const rig = await startRig(0, `bench-${run.toLowerCase()}`, false);
  const admin = new Redis(rig.redis.url);
  try {
    const memoryCold = await usedMemory(admin);
    // Where Redis starts: a service that has run (queues made, BullMQ's scripts loaded) and is idle, no worker
    // connected.
    const warm = [spawnService('worker', rig.env), spawnService('worker', rig.env)];
    rig.workers.push(...warm);
    for (let i = 0; i < WARMUP_EVENTS; i++) await rig.post(benchEvent(`${run}W`, i, 1, 1));
    while (rig.accepted.size < WARMUP_EVENTS) await new Promise((r) => setTimeout(r, 200));
    const memoryEmpty = await idleRedisMemory(admin, rig.env.KEY_PREFIX!, warm);
    rig.accepted.clear();
    const databaseEmpty = await databaseBytes(rig.database.db);
    let next = 0;
    const intakeStart = Date.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < events) {
          const status = await rig.post(benchEvent(run, next++, 1, 1));
          if (status !== 202) throw new Error(`intake answered ${status}`);
        }
      }),
    );
    const intakeSeconds = (Date.now() - intakeStart) / 1000;
    const memoryBacklog = await usedMemory(admin);
    const databaseBacklog = await databaseBytes(rig.database.db);

    const drainStart = Date.now();
    const workers = [spawnService('worker', rig.env), spawnService('worker', rig.env)];
    rig.workers.push(...workers);
    const rss: number[] = [];
    while (rig.accepted.size < events) {
      await new Promise((r) => setTimeout(r, 1000));
      rss.push(...workers.map((w) => rssMb(w.process.pid!)));
      if (Date.now() - drainStart > 3_600_000) throw new Error('drain took over an hour');
    }
    const drainSeconds = (Date.now() - drainStart) / 1000;
    const settled = rss.slice(Math.floor(rss.length / 4));
    const peaks = workers.map((w) => ({ rss: peakRssMb(w.process.pid!), ...heapMb(rig.memoryDir, w.process.pid!) }));
    const highest = (key: keyof (typeof peaks)[number]) => Math.max(...peaks.map((p) => p[key]));
    const memoryDrained = await idleRedisMemory(admin, rig.env.KEY_PREFIX!, workers);
    const databaseDrained = await databaseBytes(rig.database.db);
    return {
      events,
      intakeEventsPerSecond: round(events / intakeSeconds, 1),
      drainMessagesPerSecond: round(events / drainSeconds, 1),
      redisMbCold: round(memoryCold / 1048576, 2),
      redisMbEmpty: round(memoryEmpty / 1048576, 2),
      redisMbWithBacklog: round(memoryBacklog / 1048576, 1),
      redisMbAfterDrain: round(memoryDrained / 1048576, 2),
      redisBytesPerQueuedEvent: Math.round((memoryBacklog - memoryEmpty) / events),
      /** Target (issue #19): under 2 KB per delivered event, and used_memory within 10% of where it started. */
      redisBytesPerDeliveredEvent: Math.round((memoryDrained - memoryEmpty) / events),
      redisAfterDrainToEmpty: round(memoryDrained / memoryEmpty, 3),
      postgresMbEmpty: round(databaseEmpty / 1048576, 1),
      postgresMbWithBacklog: round(databaseBacklog / 1048576, 1),
      postgresMbAfterDrain: round(databaseDrained / 1048576, 1),
      postgresBytesPerQueuedEvent: Math.round((databaseBacklog - databaseEmpty) / events),
      postgresBytesPerDeliveredEvent: Math.round((databaseDrained - databaseEmpty) / events),
      workerRssMbWhileDraining: { min: round(Math.min(...settled), 0), max: round(Math.max(...settled), 0) },
      /** The higher of the two workers' peaks over the whole drain (VmHWM; process.memoryUsage() every 200 ms). */
      workerPeakRssMb: highest('rss'),
      workerPeakHeapUsedMb: highest('used'),
      workerPeakHeapTotalMb: highest('total'),
      workerPeakExternalMb: highest('external'),
    };
  } finally {
    admin.disconnect();
    await rig.close();
  }
}

// Alone: BENCH_BACKLOG events (100,000) queued, then drained by two workers; prints the figures as JSON.
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runBacklog(Number(process.env.BENCH_BACKLOG ?? 100_000)), null, 2));
}
