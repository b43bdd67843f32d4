// Per-message Fulfillment Email render (HTML + text) of the order-ex-srx example: 500 renders after 50 warm-up.
// Run directly: npx tsx bench/email-render.bench.ts
import { createEmailRenderer } from '../src/email/render.ts';
import { exampleDocuments } from '../test/support/documents.ts';
import { round, summarize } from './stats.ts';

export interface Figure { name: string; median: number; p95: number; unit: 'ms' }

const WARMUP = 50;
const RUNS = 500;

export async function run(): Promise<Figure[]> {
  const renderer = await createEmailRenderer();
  const doc = exampleDocuments('order-ex-srx')[0]!;
  const contact = doc.order.contacts[0]!;
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += renderer.render(doc, contact).html.length;
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const { html, text } = renderer.render(doc, contact);
    samples.push(performance.now() - t);
    sink += html.length + text.length;
  }
  if (sink === 0) throw new Error('nothing rendered');
  const { median, p95 } = summarize(samples);
  return [{ name: 'email order-ex-srx (HTML + text)', median: round(median, 4), p95: round(p95, 4), unit: 'ms' }];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await run());
}
