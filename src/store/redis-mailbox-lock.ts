import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisScript, type RunScript } from './redis-script.ts';

// Only the holder (same token) may renew or release; a lock that expired and was taken by another stays theirs.
const RENEW = {
  name: 'lcMailboxLockRenew',
  numberOfKeys: 1,
  lua: "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0",
};
const RELEASE = {
  name: 'lcMailboxLockRelease',
  numberOfKeys: 1,
  lua: "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
};

/** A Redis lease on one mailbox: at most one process watches it, and a dead holder's lease runs out after ttlMs. */
export class MailboxLock {
  readonly token = randomBytes(12).toString('hex');
  private readonly scripts: { renew: RunScript; release: RunScript };

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly ttlMs: number,
  ) {
    this.scripts = { renew: redisScript(redis, RENEW), release: redisScript(redis, RELEASE) };
  }

  /** False when another holds it or Redis cannot be reached. */
  async acquire(): Promise<boolean> {
    return (await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX').catch(() => null)) === 'OK';
  }

  /** False when the lease is gone (expired, taken) or Redis cannot be reached: either way this holder must stop. */
  async renew(): Promise<boolean> {
    return (await this.scripts.renew([this.key], this.token, this.ttlMs).catch(() => 0)) === 1;
  }

  async release(): Promise<void> {
    await this.scripts.release([this.key], this.token).catch(() => undefined);
  }
}
