import { BoundedMap } from '../src/cache/bounded-map.ts';

// `npx tsx bench/bounded-map.bench.ts`: a full cache of 20,000 entries taking a stream of keys seen once (codes, SSRNs)
// while one key (a label) is read again and again, as the certificate's caches do. Beside it, the Map that deletes its
// oldest entry one at a time, as BoundedMap did until 2026-11-29: V8 walks over the slots of the entries deleted so
// far to find the oldest.

class OldestFirstMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.capacity && !this.has(key)) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}

interface Cache {
  get(key: string): number | undefined;
  set(key: string, value: number): unknown;
}

function nsPerKey(cache: Cache, keys: string[]): number {
  const start = process.hrtime.bigint();
  for (const key of keys) {
    if (cache.get(key) === undefined) cache.set(key, 1);
    if (cache.get('label') === undefined) cache.set('label', 1);
  }
  return Number(process.hrtime.bigint() - start) / keys.length;
}

const keys = Array.from({ length: 200_000 }, (_, i) => `SSRN-${i.toString(36).toUpperCase()}-${(i * 7919) % 100_000}`);
const rows: Array<{ cache: string; 'ns per new key': number }> = [];
for (let round = 0; round < 2; round++) {
  rows.push({ cache: 'BoundedMap (two generations)', 'ns per new key': Math.round(nsPerKey(new BoundedMap<string, number>(20_000), keys)) });
  rows.push({ cache: 'Map deleting its oldest entry', 'ns per new key': Math.round(nsPerKey(new OldestFirstMap<string, number>(20_000), keys)) });
}
console.table(rows);
