import { createEmailRenderer } from '../src/email/render.ts';
import { renderCertificate } from '../src/certificate/render.ts';
import { parseEvent } from '../src/event/schema.ts';
import { documentsFor, exampleDocuments, EXAMPLES } from '../test/support/documents.ts';
import { benchEvent, SCRIPT_NAMES } from './event-factory.ts';
import { round, summarize } from './stats.ts';

export interface RenderFigure {
  name: string;
  median: number;
  p95: number;
  /** CPU time per render, the process's user + system time over all runs: steadier than wall time on a shared VM. */
  cpu: number;
  unit: 'ms';
}

async function measure(name: string, runs: number, warmup: number, fn: () => unknown): Promise<RenderFigure> {
  // Between runs the event loop turns, as it does between a worker's jobs. Without that, the callbacks a document
  // schedules for itself (it is a stream) wait until the whole loop is done and keep every document alive till then:
  // hundreds of megabytes for the garbage collector to walk.
  const turn = () => new Promise(setImmediate);
  for (let i = 0; i < warmup; i++) {
    await fn();
    await turn();
  }
  const samples: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
    await turn();
  }
  const cpu = process.cpuUsage(cpuBefore);
  const { median, p95 } = summarize(samples);
  return {
    name,
    median: round(median, 3),
    p95: round(p95, 3),
    cpu: round((cpu.user + cpu.system) / 1000 / runs, 3),
    unit: 'ms',
  };
}

/**
 * Email render (HTML + text) per document and per further recipient, certificate render per example and for new orders;
 * 500 runs each after warm-up.
 */
export async function runRenderBench(runs = 500): Promise<RenderFigure[]> {
  const emails = await createEmailRenderer();
  const figures: RenderFigure[] = [];
  for (const name of EXAMPLES) {
    const doc = exampleDocuments(name)[0]!;
    const contact = doc.order.contacts[0]!;
    // The renderer keeps one rendering per document object for its other recipients: a copy each time measures a full
    // render, the same object measures what each further recipient of a fulfillment costs.
    const copies = Array.from({ length: runs + 50 }, () => structuredClone(doc));
    figures.push(await measure(`email ${name}`, runs, 50, () => emails.render(copies.pop()!, contact)));
    figures.push(await measure(`email ${name}, each further recipient`, runs, 50, () => emails.render(doc, contact)));
  }
  for (const name of EXAMPLES) {
    const doc = exampleDocuments(name)[0]!;
    figures.push(await measure(`certificate ${name}`, runs, 50, () => renderCertificate(doc)));
  }
  figures.push(await newOrderCertificates(runs));
  return figures;
}

/**
 * The same document again and again finds every word already shaped; in production each certificate brings new
 * codes, numbers and names. So also: a new 3-line order every time, as the end-to-end benchmark sends.
 */
export async function newOrderCertificates(runs: number): Promise<RenderFigure> {
  const run = `R${Date.now().toString(36).toUpperCase().slice(-4)}`;
  // BENCH_SCRIPTS=ja or all: the end customer and account named in those scripts in turn (bench/event-factory.ts).
  const scripts = process.env.BENCH_SCRIPTS as keyof typeof SCRIPT_NAMES | undefined;
  if (scripts && !(scripts in SCRIPT_NAMES)) throw new Error('BENCH_SCRIPTS must be ja or all');
  // Built beforehand, so that only the certificate is timed.
  const documents = Array.from(
    { length: runs + 200 },
    (_, i) => documentsFor(parseEvent(benchEvent(run, i, 3, 3, scripts && SCRIPT_NAMES[scripts])))[0]!,
  ).reverse();
  return measure(`certificate, a new 3-line order each time${scripts ? `, names: ${scripts}` : ''}`, runs, 200, () =>
    renderCertificate(documents.pop()!),
  );
}

// `--new-order`: only that figure, over 2,000 certificates, as JSON (what `COMPARE=render bash bench/compare.sh`
// reads).
if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--new-order')) console.log(JSON.stringify(await newOrderCertificates(2000)));
  else console.table(await runRenderBench());
}
