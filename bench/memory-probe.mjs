import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Loaded into a benchmark's service processes (`--import`, see bench/e2e.bench.ts): samples process.memoryUsage()
// every 200 ms and keeps the peaks in BENCH_MEMORY_DIR/<pid>.json, so the benchmark can print heap beside RSS.
// JavaScript, not TypeScript: the processes it measures must not load tsx for it.
const dir = process.env.BENCH_MEMORY_DIR;
if (dir) {
  const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const file = join(dir, `${process.pid}.json`);
  setInterval(() => {
    const now = process.memoryUsage();
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], now[k]);
    // Written aside and renamed into place: the benchmark may read the file at any moment, never half written.
    writeFileSync(`${file}.tmp`, JSON.stringify({ peak, last: now }));
    renameSync(`${file}.tmp`, file);
  }, 200).unref();
}
