import type { Redis } from 'ioredis';

/** Counts events per subject in fixed windows of `seconds`: one key per subject and window, gone with the window. */
export class RateWindow {
  constructor(
    private readonly redis: Redis,
    private readonly keyFor: (subject: string, window: number) => string,
    readonly seconds: number,
  ) {}

  /** Counts one more for `subject` in the window holding `now`; returns the count so far and the seconds left. */
  async hit(subject: string, now: Date): Promise<{ count: number; secondsLeft: number }> {
    const ms = this.seconds * 1000;
    const key = this.keyFor(subject, Math.floor(now.getTime() / ms));
    const replies = await this.redis.multi().incr(key).expire(key, this.seconds).exec();
    return {
      count: Number(replies?.[0]?.[1]),
      secondsLeft: this.seconds - (Math.floor(now.getTime() / 1000) % this.seconds),
    };
  }
}
