import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisScript } from '../../src/store/redis-script.ts';
import { clearPrefix } from '../../src/store/clear-prefix.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../support/app.ts';

const redis = new Redis(TEST_REDIS_URL);
const prefix = uniquePrefix();
const SWAP = {
  name: 'lcTestSwap',
  numberOfKeys: 1,
  lua: "local old = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], ARGV[1]) return old",
};

afterAll(async () => {
  await clearPrefix(TEST_REDIS_URL, prefix);
  redis.disconnect();
});

describe('redisScript', () => {
  it('runs the script with its declared keys and its arguments, known to Redis by its SHA', async () => {
    const swap = redisScript(redis, SWAP);
    const key = `${prefix}:swap`;
    expect(await swap([key], 'a')).toBeNull();
    expect(await swap([key], 'b')).toBe('a');
    expect(await redis.get(key)).toBe('b');
    const sha = createHash('sha1').update(SWAP.lua).digest('hex');
    expect(await redis.script('EXISTS', sha)).toEqual([1]);
  });

  it('runs for each of two owners asking for it on one connection', async () => {
    const first = redisScript(redis, SWAP);
    const second = redisScript(redis, { ...SWAP });
    const key = `${prefix}:again`;
    await first([key], 'one');
    expect(await second([key], 'two')).toBe('one');
  });

  it('refuses a call with another number of keys than declared', async () => {
    const swap = redisScript(redis, SWAP);
    await expect(swap([`${prefix}:x`, `${prefix}:y`], 'a')).rejects.toThrow('lcTestSwap takes 1 keys, given 2');
    expect(await redis.exists(`${prefix}:x`)).toBe(0);
  });

  it('refuses a second script under a name in use, and a name of a Redis command', () => {
    redisScript(redis, SWAP);
    expect(() => redisScript(redis, { ...SWAP, lua: 'return 1' })).toThrow('lcTestSwap: another script has that name');
    expect(() => redisScript(redis, { ...SWAP, numberOfKeys: 2 })).toThrow('another script has that name');
    expect(() => redisScript(redis, { ...SWAP, name: 'get' })).toThrow(
      'get: the connection has a command of that name',
    );
  });
});
