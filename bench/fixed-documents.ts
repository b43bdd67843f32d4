/**
 * Whether a benchmark renders each document (`rendered`, as the service does) or renders the first one and reuses it
 * for every later message (`fixed`): what the ratio would be if rendering cost nothing.
 */
export type Rendering = 'rendered' | 'fixed';

/** `BENCH_DOCUMENTS` and the like: absent is `rendered`; anything but the two names is a mistake worth stopping for. */
export function renderingFrom(name: string, value: string | undefined): Rendering {
  if (value === undefined || value === 'rendered' || value === 'fixed') return value ?? 'rendered';
  throw new Error(`${name} must be "rendered" or "fixed", not "${value}"`);
}

/** A renderer that renders once, on its first call, and returns that same result to every later call. */
export function firstResult<A extends unknown[], R>(render: (...args: A) => R): (...args: A) => R {
  let first: { result: R } | undefined;
  return (...args) => (first ??= { result: render(...args) }).result;
}
