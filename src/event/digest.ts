import { createHash } from 'node:crypto';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Content digest independent of key order, so a re-serialised replay of the same event still counts as the same. */
export function eventDigest(event: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(event)))
    .digest('hex');
}
