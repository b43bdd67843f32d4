#!/bin/sh
//usr/bin/env true; exec node --max-old-space-size=512 "$0" "$@"
// Run as a program, this file is a shell script for its first two lines: it starts node with the service's V8 options
// and this same file. A heap limit also caps how far V8 lets the old generation grow between full collections (to
// about 1.4 times what is live, where the default is up to 4 times); the service's live heap stays far below it.
// Run as `node bin/license-courier.mjs`, the second line is a comment and node runs with the options it was given.

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
