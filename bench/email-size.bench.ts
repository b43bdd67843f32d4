import { createEmailRenderer } from '../src/email/render.ts';
import { parseEvent } from '../src/event/schema.ts';
import { documentsFor, longOrderDocument } from '../test/support/documents.ts';
import { benchEvent } from './event-factory.ts';

// `npx tsx bench/email-size.bench.ts`: the Fulfillment Email's size by number of lines. Gmail clips a long HTML part
// and hides the rest (support address included); the contract sets the size the HTML must stay under.
// Sizes, not times: they are the same on every machine, so docs/documents.md and docs/performance.md quote them.

interface EmailSize {
  order: string;
  lines: number;
  htmlBytes: number;
  textBytes: number;
}

const SIZE_LINES = [1, 20, 200, 500];

async function runEmailSizeBench(): Promise<EmailSize[]> {
  const emails = await createEmailRenderer();
  const orders = {
    // The end-to-end benchmark's lines: one portal product.
    'portal lines, en': (n: number) => documentsFor(parseEvent(benchEvent('SIZE', 0, n, 1)))[0]!,
    // The example orders' lines over and over: every delivery mode, the email-activation lines with their mailto links.
    'every mode, en': (n: number) => longOrderDocument(n, 'en'),
    'every mode, ja': (n: number) => longOrderDocument(n, 'ja'),
  };
  return Object.entries(orders).flatMap(([order, make]) =>
    SIZE_LINES.map((lines) => {
      const doc = make(lines);
      const { html, text } = emails.render(doc, doc.order.contacts[0]!);
      return { order, lines, htmlBytes: Buffer.byteLength(html), textBytes: Buffer.byteLength(text) };
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await runEmailSizeBench());
}
