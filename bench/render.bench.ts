import { createEmailRenderer } from '../src/email/render.ts';
import { renderCertificate } from '../src/certificate/render.ts';
import { exampleDocuments, EXAMPLES } from '../test/support/documents.ts';
import { round, summarize } from './stats.ts';

export interface RenderFigure {
  name: string;
  median: number;
  p95: number;
  unit: 'ms';
}

async function measure(name: string, runs: number, warmup: number, fn: () => unknown): Promise<RenderFigure> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  const { median, p95 } = summarize(samples);
  return { name, median: round(median, 3), p95: round(p95, 3), unit: 'ms' };
}

/** Per-message email render (HTML + text) and per-certificate PDF render, 500 runs each after warm-up. */
export async function runRenderBench(runs = 500): Promise<RenderFigure[]> {
  const emails = await createEmailRenderer();
  const figures: RenderFigure[] = [];
  for (const name of EXAMPLES) {
    const doc = exampleDocuments(name)[0]!;
    const contact = doc.order.contacts[0]!;
    figures.push(await measure(`email ${name}`, runs, 50, () => emails.render(doc, contact)));
  }
  for (const name of EXAMPLES) {
    const doc = exampleDocuments(name)[0]!;
    figures.push(await measure(`certificate ${name}`, runs, 50, () => renderCertificate(doc)));
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await runRenderBench());
}
