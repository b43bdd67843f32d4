import { BoundedMap } from './bounded-map.ts';

/**
 * Remembers the results of an async loader for a while, at most `capacity` of them, and shares one load between
 * callers that ask for the same key at once. For values that never change once written (a fulfillment's document
 * and certificate), so a stale entry is impossible and the time limit only bounds memory held for idle keys.
 * A load that fails or finds nothing is not remembered: the next caller tries again. `put` remembers a value a caller
 * already has, as if it had been loaded.
 */
export function boundedMemo<T>(
  load: (key: string) => Promise<T | undefined>,
  options: { capacity: number; ttlMs: number; now?: () => number },
): { get(key: string): Promise<T | undefined>; put(key: string, value: Promise<T | undefined>): void } {
  const now = options.now ?? Date.now;
  const entries = new BoundedMap<string, { value: Promise<T | undefined>; expires: number }>(options.capacity);
  const put = (key: string, value: Promise<T | undefined>) => {
    entries.set(key, { value, expires: now() + options.ttlMs });
    value.then((v) => { if (v === undefined) forget(key, value); }, () => forget(key, value));
  };
  return {
    get(key) {
      const hit = entries.get(key);
      if (hit && hit.expires > now()) return hit.value;
      const value = load(key);
      put(key, value);
      return value;
    },
    put,
  };

  function forget(key: string, value: Promise<T | undefined>): void {
    if (entries.get(key)?.value === value) entries.delete(key);
  }
}
