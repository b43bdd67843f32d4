// Writes src/certificate/coverage.json: the characters each certificate face draws in both weights, as ranges. Run it
// after changing a font package (`npx tsx scripts/font-coverage.ts`); test/certificate/coverage.test.ts fails until
// then.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fontCoverage } from '../src/certificate/font-coverage-source.ts';

const out = fileURLToPath(new URL('../src/certificate/coverage.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(fontCoverage())}\n`);
console.log(`wrote ${out}`);
