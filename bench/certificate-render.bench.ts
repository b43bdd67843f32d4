// Certificate PDF render of each example's first fulfillment: 500 renders after 50 warm-up, per example.
// Run directly: npx tsx bench/certificate-render.bench.ts
import { renderCertificate } from '../src/certificate/render.ts';
import { EXAMPLES, exampleDocuments } from '../test/support/documents.ts';
import { round, summarize } from './stats.ts';

export interface Figure { name: string; median: number; p95: number; unit: 'ms' }

const WARMUP = 50;
const RUNS = 500;

export async function run(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const name of EXAMPLES) {
    const doc = exampleDocuments(name)[0]!;
    let bytes = 0;
    for (let i = 0; i < WARMUP; i++) bytes += (await renderCertificate(doc)).length;
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const pdf = await renderCertificate(doc);
      samples.push(performance.now() - t);
      bytes += pdf.length;
    }
    if (bytes === 0) throw new Error('nothing rendered');
    const { median, p95 } = summarize(samples);
    figures.push({ name: `certificate ${name}`, median: round(median, 3), p95: round(p95, 3), unit: 'ms' });
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await run());
}
