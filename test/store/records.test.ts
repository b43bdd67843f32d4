import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { storeKeys } from '../../src/store/keys.ts';
import { RecordStore, type StoredFulfillment } from '../../src/store/records.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../support/app.ts';

const prefix = uniquePrefix();
const redis = new Redis(TEST_REDIS_URL);
const keys = storeKeys(prefix);
const records = new RecordStore(redis, keys);

afterAll(async () => {
  redis.disconnect();
  await deletePrefix(TEST_REDIS_URL, prefix);
});

const fulfillment = {
  id: 'f-1-20261128-abcdef', eventId: 'e-1', orderNumber: '1', shipDate: '2026-11-28', ssrns: ['S1', 'S2', 'S3'],
  certificateNumber: 'C-1', deliveryIds: ['f-1-20261128-abcdef.aa'],
} as unknown as StoredFulfillment;

describe('record store reads in one round trip', () => {
  it('gives a fulfillment to ship with whether its certificate is stored', async () => {
    expect(await records.toShip(fulfillment.id)).toBeUndefined();
    await redis.set(keys.fulfillment(fulfillment.id), JSON.stringify(fulfillment));
    expect(await records.toShip(fulfillment.id)).toEqual({ fulfillment, hasCertificate: false });
    await records.saveCertificate(fulfillment.id, Buffer.from('%PDF'));
    expect(await records.toShip(fulfillment.id)).toEqual({ fulfillment, hasCertificate: true });
  });

  it('fails on a reply that is an error instead of reading it as a record that is absent', async () => {
    await redis.hset(keys.fulfillment('f-wrong-type'), 'x', '1');
    await expect(records.toShip('f-wrong-type')).rejects.toThrow(/WRONGTYPE/);
  });

  it('reads the event and the entitlements that exist, in the order asked', async () => {
    const stored = { event: { eventId: 'e-1' }, acceptedAt: '2026-11-28T10:00:00.000Z', acceptedBy: 'test' };
    await redis.hset(keys.event('e-1'), 'record', JSON.stringify(stored));
    await redis.set(keys.entitlement('S3'), JSON.stringify({ ssrn: 'S3' }));
    await redis.set(keys.entitlement('S1'), JSON.stringify({ ssrn: 'S1' }));
    expect(await records.documentRecords(fulfillment, ['S3', 'S2', 'S1'])).toEqual({ stored, entitlements: [{ ssrn: 'S3' }, { ssrn: 'S1' }] });
    expect(await records.documentRecords(fulfillment, [])).toEqual({ stored, entitlements: [] });
    expect(await records.documentRecords({ ...fulfillment, eventId: 'gone' }, ['S1'])).toEqual({ entitlements: [{ ssrn: 'S1' }] });
  });
});
