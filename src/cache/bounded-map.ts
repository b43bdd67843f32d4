/**
 * A cache of at most `capacity` entries (rounded down to an even number, at least 2), for the caches of rendering and
 * sending that live as long as the worker process and must not grow with every order it sees.
 *
 * It keeps two generations of at most half the capacity each. New entries go into the newer one, and so does an entry
 * found in the older one; when the newer one is full it becomes the older, and the older is dropped whole. So what is
 * used again and again (labels, dates, product names) stays, what was used once (a code, an SSRN) leaves after at most
 * `capacity` newer entries, and every operation takes constant time. A Map that instead deletes its oldest entry one
 * at a time slows down badly once full: V8 walks over the slots of the entries deleted so far to find the oldest,
 * about 20 µs per insertion at 20,000 entries, and these caches insert for every new code they see.
 *
 * `undefined` is not a value it keeps: `get` returning undefined means absent.
 */
export class BoundedMap<K, V> {
  private newer = new Map<K, V>();
  private older = new Map<K, V>();
  private readonly half: number;

  constructor(capacity: number) {
    this.half = Math.max(1, Math.floor(capacity / 2));
  }

  get size(): number {
    return this.newer.size + this.older.size;
  }

  get(key: K): V | undefined {
    const value = this.newer.get(key);
    if (value !== undefined) return value;
    const old = this.older.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  has(key: K): boolean {
    return this.newer.has(key) || this.older.has(key);
  }

  set(key: K, value: V): this {
    if (!this.newer.has(key)) {
      this.older.delete(key);
      if (this.newer.size >= this.half) {
        this.older = this.newer;
        this.newer = new Map();
      }
    }
    this.newer.set(key, value);
    return this;
  }

  delete(key: K): boolean {
    const inNewer = this.newer.delete(key);
    return this.older.delete(key) || inNewer;
  }

  /** The keys kept, older generation first. */
  *keys(): IterableIterator<K> {
    yield* this.older.keys();
    yield* this.newer.keys();
  }

  /** The value kept for `key`, computed and kept first if there is none. */
  remember(key: K, compute: () => V): V {
    let value = this.get(key);
    if (value === undefined) {
      value = compute();
      this.set(key, value);
    }
    return value;
  }
}
