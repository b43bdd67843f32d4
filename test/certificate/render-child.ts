// Renders one example's certificates in a fresh process and prints the sha256 of each, one per line.
// Used by render.test.ts to show the bytes do not depend on the process (fonts, caches, time).
import { createHash } from 'node:crypto';
import { renderCertificate } from '../../src/certificate/render.ts';
import { EXAMPLES, exampleDocuments } from '../support/documents.ts';

const name = process.argv[2] as (typeof EXAMPLES)[number];
if (!EXAMPLES.includes(name)) throw new Error(`usage: render-child.ts <${EXAMPLES.join('|')}>`);
for (const doc of exampleDocuments(name)) {
  const pdf = await renderCertificate(doc);
  process.stdout.write(`${createHash('sha256').update(pdf).digest('hex')}\n`);
}
