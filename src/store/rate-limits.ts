import type { Redis } from 'ioredis';
import type { StoreKeys } from './keys.ts';

type Counted = (error: Error | null, result: { current: number; ttl: number } | null) => void;

/** The store interface of @fastify/rate-limit: `incr` counts one request, `child` makes the store of one limit. */
export interface RateLimitCounterStore {
  incr(subject: string, done: Counted, timeWindowMs: number, max: number): void;
  child(params: { limitName?: string }): RateLimitCounterStore;
}

/**
 * Fixed-window counters for @fastify/rate-limit, shared by every API process. Each limit names itself (`limitName` in
 * its options) so its keys read `<prefix>:rl:<limit>:<subject>`. The window's key is made with its expiry before it is
 * counted, in one transaction, so no counter is ever left without one.
 */
export function rateLimitStore(redis: Redis, keys: StoreKeys) {
  // The plugin constructs the store with its options; a limit's own options reach `child`.
  class Counters implements RateLimitCounterStore {
    private readonly limit: string;
    constructor(params: { limitName?: string } = {}) {
      this.limit = params.limitName ?? 'default';
    }

    incr(subject: string, done: Counted, timeWindowMs: number): void {
      const key = keys.rateLimit(this.limit, subject);
      redis
        .multi()
        .set(key, 0, 'PX', timeWindowMs, 'NX')
        .incr(key)
        .pttl(key)
        .exec()
        .then(
          (results) => {
            const [, [countError, current], [, ttl]] = results as [
              unknown,
              [Error | null, number],
              [Error | null, number],
            ];
            if (countError) done(countError, null);
            else done(null, { current, ttl });
          },
          (error: Error) => done(error, null),
        );
    }

    child(params: { limitName?: string }): RateLimitCounterStore {
      return new Counters({ limitName: params.limitName ?? this.limit });
    }
  }
  return Counters;
}
