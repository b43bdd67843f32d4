import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runActivationBench } from './activation.bench.ts';
import { runBacklog } from './backlog.bench.ts';
import { runLoad, type LoadResult } from './e2e.bench.ts';
import type { Rendering } from './fixed-documents.ts';
import { runNaive } from './naive-baseline.ts';
import { runRenderBench } from './render.bench.ts';
import { round } from './stats.ts';

// `npm run bench`: every figure of the README's performance section. Loopback only; each part stops by itself.
// BENCH_LOAD_SECONDS (60), BENCH_BACKLOG (100000), BENCH_SATURATION_EVENTS (1000), BENCH_RATIO_ROUNDS (3) shorten a
// run; BENCH_ONLY=ratio runs the render figures and the ratio rounds alone; BENCH_ONLY=e2e the service alone
// (saturation, 50 and 100 events/s, the backlog), without the naive baseline, the render figures and activation.
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const loadSeconds = env('BENCH_LOAD_SECONDS', 60);
const backlog = env('BENCH_BACKLOG', 100_000);
const saturationEvents = env('BENCH_SATURATION_EVENTS', 1000);
const ratioOnly = process.env.BENCH_ONLY === 'ratio';
const e2eOnly = process.env.BENCH_ONLY === 'e2e';
const ratioRounds = e2eOnly ? 0 : env('BENCH_RATIO_ROUNDS', 3);

async function naiveBaseline(events: number, certificates: Rendering = 'rendered') {
  const sink = fork(fileURLToPath(new URL('./smtp-sink-process.ts', import.meta.url)), ['0'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    sink.on('message', (m: { ready?: number }) => m.ready && resolve(m.ready)),
  );
  try {
    return await runNaive(port, events, certificates);
  } finally {
    sink.disconnect();
  }
}

const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  process.stderr.write(`bench: ${name}…\n`);
  const result = await fn();
  process.stderr.write(`bench: ${name} done\n`);
  return result;
};

const render = e2eOnly ? [] : await step('render', () => runRenderBench(500));
// The machine's speed drifts by a third within minutes, and the ratio divides two runs made minutes apart: so the
// service at saturation and the naive baseline run alternately, BENCH_RATIO_ROUNDS rounds, and the median counts.
// Each round also measures the ceiling: the service with fixed documents (bench/fixed-documents-worker.ts, the
// pipeline alone) against the baseline with a fixed certificate, that is, the ratio if rendering cost nothing. No
// renderer, however fast, lifts the ratio above it; the difference in CPU is what the documents cost in the pipeline.
const rounds = [];
for (let round = 1; round <= ratioRounds; round++) {
  const of = `(${round}/${ratioRounds})`;
  const naive = await step(`naive baseline ${of}`, () => naiveBaseline(150));
  const saturation = await step(`saturation, 2 workers ${of}`, () =>
    runLoad('saturation', { workers: 2, events: saturationEvents }),
  );
  const fixed = await step(`saturation, documents fixed ${of}`, () =>
    runLoad('saturation, documents fixed', { workers: 2, events: saturationEvents, documents: 'fixed' }),
  );
  const naiveFixed = await step(`naive baseline, certificate fixed ${of}`, () => naiveBaseline(150, 'fixed'));
  rounds.push({
    saturation,
    fixed,
    naive,
    naiveFixed,
    ratio: saturation.eventsPerSecond / naive.eventsPerSecond,
    ceiling: fixed.eventsPerSecond / naiveFixed.eventsPerSecond,
  });
}
const median = <T>(items: T[], by: (t: T) => number): T =>
  [...items].sort((a, b) => by(a) - by(b))[Math.floor((items.length - 1) / 2)]!;
const medianRound = rounds.length ? median(rounds, (r) => r.ratio) : undefined;
const saturation =
  medianRound?.saturation ??
  (await step('saturation, 2 workers', () => runLoad('saturation', { workers: 2, events: saturationEvents })));
const cpuPerEvent = (r: LoadResult) =>
  round(
    Object.values(r.cpuMsPerEvent).reduce((a, b) => a + b, 0),
    1,
  );
/**
 * Where the service's CPU per event goes (all processes) in the median round, and what ten times the baseline would
 * allow it: the same cores busy, ten times the baseline's events per second.
 */
const serviceMs = cpuPerEvent(saturation);
const budget = medianRound && {
  serviceMs,
  pipelineAloneMs: cpuPerEvent(medianRound.fixed),
  documentsInPipelineMs: round(serviceMs - cpuPerEvent(medianRound.fixed), 1),
  naiveMs: medianRound.naive.cpuMsPerEvent,
  naiveCertificateFixedMs: medianRound.naiveFixed.cpuMsPerEvent,
  serviceMsForTenTimes: round((serviceMs * medianRound.ratio) / 10, 1),
};
const loads = [];
for (const rate of ratioOnly ? [] : e2eOnly ? [50, 100] : [25, 50, 100])
  loads.push(
    await step(`${rate} events/s for ${loadSeconds} s`, () =>
      runLoad(`${rate}/s`, { workers: 2, rate, seconds: loadSeconds }),
    ),
  );
const drained = ratioOnly ? undefined : await step(`backlog of ${backlog}`, () => runBacklog(backlog));
const activation =
  ratioOnly || e2eOnly ? undefined : await step('activation by email, 200 requests', () => runActivationBench(200));

const results = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, date: new Date().toISOString() },
  settings: {
    loadSeconds,
    backlog,
    saturationEvents,
    ratioRounds,
    ratioOnly,
    e2eOnly,
    warmupEvents: env('BENCH_WARMUP_EVENTS', 3000),
    database: 'PostgreSQL (a fresh database per run)',
  },
  render,
  /** The round with the median ratio; every round below. */
  saturation,
  naive: medianRound?.naive,
  ratioToNaive: medianRound && round(medianRound.ratio, 1),
  ceilingToNaive: medianRound && round(median(rounds, (r) => r.ceiling).ceiling, 1),
  cpuBudget: budget,
  ratioPairs: rounds.map((r) => ({
    serviceEventsPerSecond: r.saturation.eventsPerSecond,
    naiveEventsPerSecond: r.naive.eventsPerSecond,
    ratio: round(r.ratio, 2),
    documentsFixedEventsPerSecond: r.fixed.eventsPerSecond,
    naiveCertificateFixedEventsPerSecond: r.naiveFixed.eventsPerSecond,
    ceiling: round(r.ceiling, 2),
  })),
  documentsFixed: rounds.map((r) => r.fixed),
  naiveCertificateFixed: rounds.map((r) => r.naiveFixed),
  loads,
  backlog: drained,
  activation,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/${results.machine.date.replace(/[:.]/g, '-')}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);

console.log(`\n${results.machine.cpus} CPUs (${results.machine.cpu}), Node ${results.machine.node}`);
if (render.length) console.table(render);
console.table(
  [saturation, ...loads].map((r) => ({
    load: r.label,
    events: r.events,
    'events/s': r.eventsPerSecond,
    'msgs/s': r.messagesPerSecond,
    'p50 ms': r.latencyMs.p50,
    'p95 ms': r.latencyMs.p95,
    'p99 ms': r.latencyMs.p99,
    'worker RSS MB': Math.max(r.peakRssMb.worker1 ?? 0, r.peakRssMb.worker2 ?? 0),
    'Redis B/entitlement': r.redisBytesPerEntitlement,
    'PostgreSQL B/event': r.postgresBytesPerEvent,
  })),
);
console.table(
  Object.fromEntries(
    [saturation, ...loads].map((r) => [`${r.label}: CPU ms/event`, { ...r.cpuMsPerEvent, total: cpuPerEvent(r) }]),
  ),
);
console.table(
  Object.fromEntries(
    [saturation, ...loads].flatMap((r) =>
      Object.entries(r.peakHeapMb).map(([name, heap]) => [
        `${r.label}: ${name}`,
        {
          'peak RSS MB': r.peakRssMb[name],
          'heap used MB': heap.used,
          'heap total MB': heap.total,
          'external MB': heap.external,
        },
      ]),
    ),
  ),
);
if (medianRound) {
  console.table(results.ratioPairs);
  console.table({
    naive: { 'events/s': medianRound.naive.eventsPerSecond, 'msgs/s': medianRound.naive.messagesPerSecond },
    service: { 'events/s': saturation.eventsPerSecond, 'msgs/s': saturation.messagesPerSecond },
    'median ratio': { 'events/s': results.ratioToNaive },
    'median ceiling (rendering free)': { 'events/s': results.ceilingToNaive },
  });
  console.table({ 'CPU ms per event': budget });
}
if (drained) console.table({ backlog: drained });
if (activation) console.table({ activation });
console.log(`results written to ${fileURLToPath(file)}`);
