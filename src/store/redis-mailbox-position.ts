import type { Redis } from 'ioredis';
import type { MailboxLock } from './redis-mailbox-lock.ts';
import { redisScript, type RunScript } from './redis-script.ts';

// Written only while the lock is ours, and only forward: a holder that lost its lease mid-hand-off cannot move the
// position back under the new holder's feet, nor forward past messages the new holder has not seen.
const ADVANCE = {
  name: 'lcMailboxPositionAdvance',
  numberOfKeys: 2,
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[2], 'uidValidity') ~= ARGV[2] then return 0 end
if tonumber(redis.call('HGET', KEYS[2], 'uid') or '0') < tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[2], 'uid', ARGV[3])
end
return 1`,
};

/** The highest UID handed on from one mailbox, valid only together with the mailbox's UIDVALIDITY. */
export class MailboxPosition {
  private readonly advanceScript: RunScript;

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly lock: MailboxLock,
  ) {
    this.advanceScript = redisScript(redis, ADVANCE);
  }

  /**
   * The last UID handed on; 0 (and stored so) when nothing was, or when UIDVALIDITY changed and old UIDs mean nothing.
   */
  async read(uidValidity: string): Promise<{ uid: number; reset: boolean }> {
    const [storedValidity, storedUid] = await this.redis.hmget(this.key, 'uidValidity', 'uid');
    if (storedValidity === uidValidity) return { uid: Number(storedUid ?? 0), reset: false };
    await this.redis.hset(this.key, 'uidValidity', uidValidity, 'uid', '0');
    return { uid: 0, reset: storedValidity !== null };
  }

  /** False when the lock is no longer ours (or the mailbox was reset meanwhile): stop handing on. */
  async advance(uidValidity: string, uid: number): Promise<boolean> {
    return (await this.advanceScript([this.lock.key, this.key], this.lock.token, uidValidity, uid)) === 1;
  }
}
