import type { Redis } from 'ioredis';
import type { StoreKeys } from './keys.ts';
import { redisScript, type RunScript } from './redis-script.ts';

const HOUR_MS = 3_600_000;

// Each window is a sorted set of message ids scored by time. Checking and counting are one step for all the windows
// a message counts against: 30 messages at once against a limit of 5 get exactly 5 allowances. An id already counted
// (a retried job) is allowed again without counting twice. KEYS: the windows; ARGV: now, id, then one limit per key.
const TAKE = `
local now, id = tonumber(ARGV[1]), ARGV[2]
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, now - ${HOUR_MS})
  if redis.call('ZSCORE', KEYS[i], id) then return 1 end
end
for i = 1, #KEYS do
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[2 + i]) then return 0 end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, id)
  redis.call('PEXPIRE', KEYS[i], ${HOUR_MS})
end
return 1`;

export interface ActivationLimitSettings {
  failuresPerSenderPerHour: number;
  answersPerContactPerHour: number;
  answersPerCodePerHour: number;
}

/** The hourly windows of activation by email, in Redis beside the other rate limits. */
export class ActivationLimits {
  /** TAKE over one window (a sender's failures) and over two (an answer: its contact and its code). */
  private readonly takeScripts: RunScript[];

  constructor(
    redis: Redis,
    private readonly keys: StoreKeys,
    private readonly limits: ActivationLimitSettings,
  ) {
    this.takeScripts = [1, 2].map((n) =>
      redisScript(redis, { name: `lcActivationTake${n}`, numberOfKeys: n, lua: TAKE }),
    );
  }

  private async take(windows: Array<[string, number]>, now: Date, id: string): Promise<boolean> {
    const run = this.takeScripts[windows.length - 1]!;
    const keys = windows.map(([key]) => key);
    return (await run(keys, now.getTime(), id, ...windows.map(([, limit]) => limit))) === 1;
  }

  /** Counts one failed request of a sender; false when the sender already failed the hourly limit's worth. */
  takeFailure(sender: string, now: Date, id: string): Promise<boolean> {
    return this.take([[this.keys.activationFailures(sender), this.limits.failuresPerSenderPerHour]], now, id);
  }

  /** Counts one answer to a contact about a code; false when either has had the hourly limit's worth. */
  takeAnswer(contact: string, code: string, now: Date, id: string): Promise<boolean> {
    return this.take(
      [
        [this.keys.activationAnswersToContact(contact), this.limits.answersPerContactPerHour],
        [this.keys.activationAnswersForCode(code), this.limits.answersPerCodePerHour],
      ],
      now,
      id,
    );
  }
}
