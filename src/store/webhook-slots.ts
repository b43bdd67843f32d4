import type { Redis } from 'ioredis';
import type { StoreKeys } from './keys.ts';
import { redisScript, type RunScript } from './redis-script.ts';

// Drops expired holders (a worker killed mid-send never releases), then takes a slot if fewer than the limit are held.
// The time is Redis's own, so the processes' clocks do not matter.
const ACQUIRE = {
  name: 'lcWebhookSlotAcquire',
  numberOfKeys: 1,
  lua: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`,
};

/** How many sends to one webhook endpoint are in flight, across every worker process: at most `limit`. */
export class EndpointSlots {
  private readonly acquireSlot: RunScript;

  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
  ) {
    this.acquireSlot = redisScript(redis, ACQUIRE);
  }

  /**
   * Takes a slot for `holder` (a delivery id) for at most `ttlMs`; false when the endpoint has `limit` sends in flight.
   */
  async acquire(endpointId: string, holder: string, limit: number, ttlMs: number): Promise<boolean> {
    return (await this.acquireSlot([this.keys.webhookSlots(endpointId)], limit, ttlMs, holder)) === 1;
  }

  async release(endpointId: string, holder: string): Promise<void> {
    await this.redis.zrem(this.keys.webhookSlots(endpointId), holder);
  }
}
