import { BoundedMap } from './bounded-map.ts';

/**
 * Remembers the results of an async loader for a while, at most `capacity` of them, and shares one load between
 * callers that ask for the same key at once. For values that never change once written (a fulfillment's document
 * and certificate), so a stale entry is impossible and the time limit only bounds memory held for idle keys.
 * A load that fails or finds nothing is not remembered: the next caller tries again.
 */
export function boundedMemo<T>(
  load: (key: string) => Promise<T | undefined>,
  options: { capacity: number; ttlMs: number; now?: () => number },
): (key: string) => Promise<T | undefined> {
  const now = options.now ?? Date.now;
  const entries = new BoundedMap<string, { value: Promise<T | undefined>; expires: number }>(options.capacity);
  return (key) => {
    const hit = entries.get(key);
    if (hit && hit.expires > now()) return hit.value;
    entries.delete(key);
    const value = load(key);
    entries.set(key, { value, expires: now() + options.ttlMs });
    value.then((v) => { if (v === undefined) forget(key, value); }, () => forget(key, value));
    return value;
  };

  function forget(key: string, value: Promise<T | undefined>): void {
    if (entries.get(key)?.value === value) entries.delete(key);
  }
}
