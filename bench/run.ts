import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runActivationBench } from './activation.bench.ts';
import { runBacklog } from './backlog.bench.ts';
import { runLoad } from './e2e.bench.ts';
import { runNaive } from './naive-baseline.ts';
import { runRenderBench } from './render.bench.ts';
import { round } from './stats.ts';

// `npm run bench`: every figure of the README's performance section. Loopback only; each part stops by itself.
// BENCH_LOAD_SECONDS (60), BENCH_BACKLOG (100000), BENCH_SATURATION_EVENTS (1000), BENCH_RATIO_ROUNDS (3) shorten a run.
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const loadSeconds = env('BENCH_LOAD_SECONDS', 60);
const backlog = env('BENCH_BACKLOG', 100_000);
const saturationEvents = env('BENCH_SATURATION_EVENTS', 1000);
const ratioRounds = env('BENCH_RATIO_ROUNDS', 3);

async function naiveBaseline(events: number) {
  const sink = fork(fileURLToPath(new URL('./smtp-sink-process.ts', import.meta.url)), ['0'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => sink.on('message', (m: { ready?: number }) => m.ready && resolve(m.ready)));
  try {
    return await runNaive(port, events);
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

const render = await step('render', () => runRenderBench(500));
// The machine's speed drifts by a third within minutes, and the ratio divides two runs made minutes apart: so the
// service at saturation and the naive baseline run alternately, BENCH_RATIO_ROUNDS pairs, and the median pair counts.
const pairs = [];
for (let round = 1; round <= ratioRounds; round++) {
  const naive = await step(`naive baseline (${round}/${ratioRounds})`, () => naiveBaseline(150));
  const saturation = await step(`saturation, 2 workers (${round}/${ratioRounds})`, () => runLoad('saturation', { workers: 2, events: saturationEvents }));
  pairs.push({ saturation, naive, ratio: saturation.eventsPerSecond / naive.eventsPerSecond });
}
const { saturation, naive, ratio } = [...pairs].sort((a, b) => a.ratio - b.ratio)[Math.floor((pairs.length - 1) / 2)]!;
const loads = [];
for (const rate of [25, 50, 100]) loads.push(await step(`${rate} events/s for ${loadSeconds} s`, () => runLoad(`${rate}/s`, { workers: 2, rate, seconds: loadSeconds })));
const drained = await step(`backlog of ${backlog}`, () => runBacklog(backlog));
const activation = await step('activation by email, 200 requests', () => runActivationBench(200));

const results = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, date: new Date().toISOString() },
  settings: { loadSeconds, backlog, saturationEvents, ratioRounds },
  render,
  /** The pair with the median ratio; every pair below. */
  saturation,
  naive,
  ratioToNaive: round(ratio, 1),
  ratioPairs: pairs.map((p) => ({ serviceEventsPerSecond: p.saturation.eventsPerSecond, naiveEventsPerSecond: p.naive.eventsPerSecond, ratio: round(p.ratio, 2) })),
  loads,
  backlog: drained,
  activation,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/${results.machine.date.replace(/[:.]/g, '-')}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);

console.log(`\n${results.machine.cpus} CPUs (${results.machine.cpu}), Node ${results.machine.node}`);
console.table(render);
console.table([saturation, ...loads].map((r) => ({ load: r.label, events: r.events, 'events/s': r.eventsPerSecond, 'msgs/s': r.messagesPerSecond, 'p50 ms': r.latencyMs.p50, 'p95 ms': r.latencyMs.p95, 'p99 ms': r.latencyMs.p99, 'worker RSS MB': Math.max(r.peakRssMb.worker1 ?? 0, r.peakRssMb.worker2 ?? 0), 'Redis B/entitlement': r.redisBytesPerEntitlement })));
console.table(results.ratioPairs);
console.table({ naive: { 'events/s': naive.eventsPerSecond, 'msgs/s': naive.messagesPerSecond }, service: { 'events/s': saturation.eventsPerSecond, 'msgs/s': saturation.messagesPerSecond }, 'median ratio': { 'events/s': results.ratioToNaive } });
console.table({ backlog: drained });
console.table({ activation });
console.log(`results written to ${fileURLToPath(file)}`);
