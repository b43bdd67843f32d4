#!/usr/bin/env node
// Runs dist/ when `npm run build` made it from the current sources (compiled.mjs), else the sources through tsx: so
// `npx license-courier` works on a fresh clone with nothing built.
import { compiledEntry } from './compiled.mjs';

const compiled = compiledEntry();
if (compiled) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
