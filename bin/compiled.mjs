// Whether to run the JavaScript `npm run build` compiled into dist/: only when it is as new as every source file. A
// process that compiles TypeScript as it loads (tsx) holds the compiler and a source map of every module for as long
// as it runs; without a build, or after a source changed since, the sources run through tsx instead.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist/src/cli/main.js');

/** The newest modification time of the TypeScript files under `dir`. */
function newestSource(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (item.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The compiled command line's URL when dist/ is up to date with src/ and queues/, else undefined. */
export function compiledEntry() {
  const built = statSync(entry, { throwIfNoEntry: false });
  const sources = Math.max(newestSource(join(root, 'src')), newestSource(join(root, 'queues')));
  return built && built.mtimeMs >= sources ? pathToFileURL(entry).href : undefined;
}
