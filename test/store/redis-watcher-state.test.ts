import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { publishWatcherState, pruneStale, readWatcherState } from '../../src/store/redis-watcher-state.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../support/app.ts';

const redis = new Redis(TEST_REDIS_URL);
const key = `${uniquePrefix()}:imap:watchers`;

afterAll(async () => {
  await redis.del(key);
  redis.disconnect();
});

/** Waits for the publisher's write, which update() starts without awaiting. */
const settled = async (expected: string | undefined) => {
  await expect.poll(() => readWatcherState(redis, key, Date.now())).toBe(expected);
};

describe('mailbox watcher state in Redis', () => {
  it('reports the best state of the live watchers, each process in its own field', async () => {
    const holder = publishWatcherState(redis, key);
    const waiter = publishWatcherState(redis, key);
    try {
      expect(await readWatcherState(redis, key, Date.now())).toBeUndefined();
      waiter.update('waiting-for-lock');
      await settled('waiting-for-lock');
      holder.update('connecting');
      await settled('connecting');
      holder.update('connected');
      await settled('connected');
      // The waiter stopping takes only its own field.
      waiter.update('disconnected');
      await waiter.stop();
      expect(await readWatcherState(redis, key, Date.now())).toBe('connected');
      expect(Object.keys(await redis.hgetall(key))).toHaveLength(1);
    } finally {
      await holder.stop();
      await waiter.stop();
    }
    expect(await readWatcherState(redis, key, Date.now())).toBeUndefined();
  });

  it('ignores and prunes the field of a process that stopped refreshing it', async () => {
    const live = publishWatcherState(redis, key);
    try {
      live.update('waiting-for-lock');
      await settled('waiting-for-lock');
      // A worker killed while it held the mailbox: its last word was "connected", 90 s ago.
      await redis.hset(key, 'killed:1:dead', JSON.stringify({ state: 'connected', until: Date.now() - 1 }));
      expect(await readWatcherState(redis, key, Date.now())).toBe('waiting-for-lock');
      await pruneStale(redis, key, Date.now());
      expect(Object.keys(await redis.hgetall(key))).toHaveLength(1);
    } finally {
      await live.stop();
    }
  });
});
