import { Redis } from 'ioredis';
import { spawnService } from '../test/support/child-service.ts';
import { startRig, usedMemory } from './e2e.bench.ts';
import { benchEvent } from './event-factory.ts';
// Where the bytes left after a drain are: `BENCH_EVENTS` (500) events of 1 line and 1 recipient accepted with no
// worker running, drained by two workers, then Redis's keys grouped by kind (MEMORY USAGE) and PostgreSQL's tables by
// pg_total_relation_size. Explains the backlog figures of bench/backlog.bench.ts.
const N = Number(process.env.BENCH_EVENTS ?? 500);
const rig = await startRig(0, 'bench-probe', false);
const admin = new Redis(rig.redis.url);
try {
  const empty = await usedMemory(admin);
  for (let i = 0; i < N; i++) if ((await rig.post(benchEvent('PRB', i, 1, 1))) !== 202) throw new Error('intake');
  rig.workers.push(spawnService('worker', rig.env), spawnService('worker', rig.env));
  while (rig.accepted.size < N) await new Promise((r) => setTimeout(r, 500));
  await new Promise((r) => setTimeout(r, 5000));
  console.log('redis empty', empty, 'after', await usedMemory(admin));
  const keys = await admin.keys('*');
  const byKind = new Map<string, [number, number]>();
  for (const k of keys) {
    const kind = k.replace(/:[0-9a-f-]{8,}.*$|:\d+.*$/i, ':<id>');
    const bytes = Number(await admin.call('MEMORY', 'USAGE', k)) || 0;
    const e = byKind.get(kind) ?? [0, 0];
    e[0]++;
    e[1] += bytes;
    byKind.set(kind, e);
  }
  console.log([...byKind].sort((a, b) => b[1][1] - a[1][1]).slice(0, 15));
  console.log(
    await rig.database.db.query(
      `SELECT relname, pg_total_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC LIMIT 10`,
    ),
  );
} finally {
  admin.disconnect();
  await rig.close();
}
