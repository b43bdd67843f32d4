import type { LRUCache } from 'lru-cache';

/**
 * The value `cache` keeps for `key`, computed and kept first if there is none. lru-cache's own `memo` does this too,
 * but allocates its options and context for every call: several times the cost of a hit, on lookups made per word.
 */
export function remember<K extends NonNullable<unknown>, V extends NonNullable<unknown>>(
  cache: LRUCache<K, V>,
  key: K,
  compute: () => V,
): V {
  let value = cache.get(key);
  if (value === undefined) cache.set(key, (value = compute()));
  return value;
}
