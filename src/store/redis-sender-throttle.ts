import type { Redis } from 'ioredis';

/**
 * Failed activation attempts per sender in a sliding hour. Past the limit the sender gets no answers at all, so
 * activation codes cannot be guessed by mail.
 */
export class SenderThrottle {
  constructor(private readonly redis: Redis, private readonly keyFor: (sender: string) => string, private readonly perHour: number) {}

  async blocked(sender: string, now: Date): Promise<boolean> {
    const key = this.keyFor(sender);
    await this.redis.zremrangebyscore(key, 0, now.getTime() - 3_600_000);
    return (await this.redis.zcard(key)) >= this.perHour;
  }

  async recordFailure(sender: string, now: Date, id: string): Promise<void> {
    const key = this.keyFor(sender);
    await this.redis.multi().zadd(key, now.getTime(), id).pexpire(key, 3_600_000).exec();
  }
}
