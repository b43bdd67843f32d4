import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { spawnService } from '../test/support/child-service.ts';
import { startRig } from './e2e.bench.ts';
import { benchEvent } from './event-factory.ts';
import { round } from './stats.ts';

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const usedMemory = async (r: Redis) => Number(/used_memory:(\d+)/.exec(await r.info('memory'))![1]);

/** `events` events (1 line, 1 recipient) accepted while no worker runs, then drained by two workers. */
export async function runBacklog(events: number) {
  const run = `B${Date.now().toString(36).toUpperCase().slice(-4)}`;
  const rig = await startRig(0, `bench-${run.toLowerCase()}`, false);
  const admin = new Redis(rig.redis.url);
  try {
    const memoryEmpty = await usedMemory(admin);
    let next = 0;
    const intakeStart = Date.now();
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < events) {
        const status = await rig.post(benchEvent(run, next++, 1, 1));
        if (status !== 202) throw new Error(`intake answered ${status}`);
      }
    }));
    const intakeSeconds = (Date.now() - intakeStart) / 1000;
    const memoryBacklog = await usedMemory(admin);

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
    return {
      events,
      intakeEventsPerSecond: round(events / intakeSeconds, 1),
      drainMessagesPerSecond: round(events / drainSeconds, 1),
      redisMbEmpty: round(memoryEmpty / 1048576, 1),
      redisMbWithBacklog: round(memoryBacklog / 1048576, 1),
      redisMbAfterDrain: round((await usedMemory(admin)) / 1048576, 1),
      redisBytesPerQueuedEvent: Math.round((memoryBacklog - memoryEmpty) / events),
      workerRssMbWhileDraining: { min: round(Math.min(...settled), 0), max: round(Math.max(...settled), 0) },
    };
  } finally {
    admin.disconnect();
    await rig.close();
  }
}
