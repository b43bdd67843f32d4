import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { claimKeys } from '../../src/activation/claim-keys.ts';
import type { IssuedKey } from '../../src/model.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../support/app.ts';

const redis = new Redis(TEST_REDIS_URL);
const prefix = uniquePrefix();
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const offer = (device: string): IssuedKey => ({ device, key: `KEY-${device}`, licenseId: `LC-${device}`, issuedOn: '2026-11-28' });

describe('claiming quantity for devices', () => {
  it('lets exactly one of many devices racing for the last unit win', async () => {
    for (let round = 0; round < 20; round++) {
      const key = `${prefix}:race:${round}`;
      await claimKeys(redis, key, 2, [offer('FIRST')]);
      const racers = Array.from({ length: 8 }, (_, i) => new Redis(TEST_REDIS_URL));
      const results = await Promise.all(racers.map((r, i) => claimKeys(r, key, 2, [offer(`RACER${i}`)])));
      racers.forEach((r) => r.disconnect());
      expect(results.flat().filter((c) => c.outcome === 'issued')).toHaveLength(1);
      expect(await redis.hlen(key)).toBe(2);
    }
  });

  it('returns the stored key to a device that already has one, without using quantity', async () => {
    const key = `${prefix}:again`;
    expect((await claimKeys(redis, key, 1, [offer('A')]))[0]!.outcome).toBe('issued');
    const again = await claimKeys(redis, key, 1, [{ ...offer('A'), key: 'A DIFFERENT KEY' }, offer('B')]);
    expect(again).toEqual([
      { device: 'A', outcome: 'existing', key: offer('A') },
      { device: 'B', outcome: 'quantity-used-up' },
    ]);
  });
});
