import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { openQueue } from '../queues/connection.ts';
import { enqueueSends, SEND_QUEUE, type SendJob } from '../queues/send.queue.ts';
import { sweepNotices } from '../src/notices/sweep.ts';
import { connectRedis } from '../src/store/connection.ts';
import { dueBetweenQuery, NoticeStore } from '../src/store/notices.ts';
import { clearPrefix } from '../src/store/clear-prefix.ts';
import { createTestDatabase } from '../test/support/database.ts';
import { round } from './stats.ts';

// `npx tsx bench/notice-sweep.bench.ts`: the subscription timer's sweep over BENCH_ENTITLEMENTS (1,000,000) generated
// subscriptions of which BENCH_DUE (10,000) have a notice due today, four lines an order, two contacts an order: the
// time to find what is due, record it and queue the send jobs (target: under 10 s). Then the same sweep again (a rerun
// finds everything recorded). Needs the machine's PostgreSQL and Redis; cleans up after itself.

const total = Number(process.env.BENCH_ENTITLEMENTS ?? 1_000_000);
const dueToday = Number(process.env.BENCH_DUE ?? 10_000);
const TODAY = '2027-06-15';
const OFFSETS = [90, 30, 7];

const t = await createTestDatabase();
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `lcb-notices-${process.pid}`;
const redis = connectRedis(redisUrl);
const queue = openQueue<SendJob>({ redis, prefix }, SEND_QUEUE);
const clock = (s: number) => `${round(s, 2)} s`;

// Wall time on a shared machine says more about the neighbours than about the sweep, so CPU time is measured beside
// it: this process's, and that of the PostgreSQL backends serving this database (from /proc; same machine).
const ticksPerSecond = 100;
const procCpu = (pid: number) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return 0;
  }
};
const redisCpu = async () => {
  const info = await redis.info('cpu');
  return Number(/used_cpu_sys:([\d.]+)/.exec(info)![1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)![1]);
};
try {
  const loadStart = Date.now();
  // Entitlement i of the first `dueToday` has one notice due today (by i % 4: the 90-, 30- and 7-day reminders, the
  // grace notice: the end date is today + offset + 30 days of grace); the others end on days with nothing due today.
  await t.db.exec(`
    INSERT INTO events (event_id, digest, record, response, accepted_at, accepted_by) VALUES ('bench', 'd', '{}', '{}', now(), 'bench');
    INSERT INTO orders (number, end_customer, locale, record, updated_at)
      SELECT 'O' || o, '{"name": "Bench end customer"}', 'en', '{}', now() FROM generate_series(0, ${Math.ceil(total / 4)}) AS o;
    INSERT INTO fulfillments (id, event_id, order_number, ship_date, certificate_number, ssrns, created_at)
      VALUES ('bench', 'bench', 'O0', DATE '${TODAY}', 'C-bench', '{}', now());
    INSERT INTO contacts (order_number, email, name)
      SELECT 'O' || o, 'buyer' || c || '.' || o || '@example.com', NULL FROM generate_series(0, ${Math.ceil(total / 4)}) AS o, generate_series(1, 2) AS c;
    INSERT INTO entitlements (ssrn, activation_code, order_number, event_id, fulfillment_id, position, line_number, sku, product, license_name,
        description, quantity, license_type, purchase, term_months, ship_date, start_date, end_date, grace_days)
      SELECT 'SSRN' || i, 'code-' || i, 'O' || (i / 4), 'bench', 'bench', i % 4, (i % 4 + 1)::text, 'S-EX-A-C1-1', 'ex', 'EX Advanced', 'EX4400', 1,
        'subscription', 'initial', 12, start_date, start_date, end_date, 30
      FROM (
        SELECT i, DATE '${TODAY}' - 365 AS start_date,
          CASE WHEN i < ${dueToday} THEN DATE '${TODAY}' + (ARRAY[120, 60, 37, 30])[i % 4 + 1]
               ELSE DATE '${TODAY}' - 365 + (i % 1460) + CASE WHEN (i % 1460) - 365 IN (0, 30, 37, 60, 120) THEN 1 ELSE 0 END
          END AS end_date
        FROM generate_series(0, ${total - 1}) AS i
      ) AS g;
    ANALYZE;`);
  const loadSeconds = (Date.now() - loadStart) / 1000;
  process.stderr.write(`bench: ${total} entitlements generated in ${clock(loadSeconds)}\n`);

  const store = new NoticeStore(t.db);
  const q = dueBetweenQuery(TODAY, TODAY, OFFSETS);
  const plan = (await t.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params))
    .map((r) => r['QUERY PLAN'])
    .join('\n');

  const phases: Record<string, number> = {};
  const timedStore = new Proxy(store, {
    get(target, name: keyof NoticeStore) {
      const method = target[name];
      if (typeof method !== 'function') return method;
      return async (...args: unknown[]) => {
        const start = performance.now();
        try {
          return await (method as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          phases[name] = (phases[name] ?? 0) + (performance.now() - start) / 1000;
        }
      };
    },
  });
  const deps = {
    notices: timedStore,
    clock: { now: () => new Date(`${TODAY}T00:05:00Z`) },
    offsetsDays: OFFSETS,
    fromAddress: 'renewals@courier.example',
    enqueueNotices: async (ids: string[]) => {
      const start = performance.now();
      await enqueueSends(queue, ids, { attempts: 10, backoffMs: 180_000 }, 'notice');
      phases.enqueue = (phases.enqueue ?? 0) + (performance.now() - start) / 1000;
    },
  };
  const backends = async () =>
    (await t.db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).map(
      (r) => r.pid,
    );
  const sweep = async () => {
    for (const k of Object.keys(phases)) delete phases[k];
    // Open the pool's connections first, so that every backend the sweep uses is counted.
    await Promise.all(Array.from({ length: 4 }, () => t.db.query('SELECT pg_sleep(0.05)')));
    const pgBefore = new Map((await backends()).map((pid) => [pid, procCpu(pid)]));
    const redisBefore = await redisCpu();
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const result = await sweepNotices(deps, TODAY);
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = {
      node: round((cpu.user + cpu.system) / 1e6, 2),
      // Backends that ended meanwhile are left out (their time is lost to /proc); the pool keeps its four open.
      postgres: round(
        [...pgBefore].reduce((sum, [pid, before]) => sum + Math.max(0, procCpu(pid) - before), 0),
        2,
      ),
      redisServerIncludingOtherClients: round((await redisCpu()) - redisBefore, 2),
    };
    return {
      seconds: round(seconds, 2),
      cpuSeconds,
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      entitlementsDue: new Set(result.planned.flatMap((p) => p.ssrns)).size,
      recorded: result.recorded,
      queued: result.queued,
      phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round(v, 2)])),
    };
  };
  const first = await sweep();
  const jobs = await queue.getJobCounts('prioritized', 'waiting');
  const rerun = await sweep();
  const report = {
    at: new Date().toISOString(),
    entitlements: total,
    dueToday,
    first,
    jobsInQueue: jobs,
    rerun,
    loadSeconds: round(loadSeconds, 1),
    plan,
  };
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${report.at.replace(/[:.]/g, '-')}-notice-sweep.json`;
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify({ ...report, plan: undefined }, null, 2));
  console.log(plan);
  console.log(`written to ${file}`);
} finally {
  await queue.close();
  redis.disconnect();
  await clearPrefix(redisUrl, prefix);
  await t.drop();
}
