import type { KeyObject } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.ts';
import { issueKey } from '../license/key.ts';
import type { Entitlement, Fulfillment } from '../model.ts';
import type { RecordStore } from '../store/records.ts';

/**
 * Issues the signed key of every device on the fulfillment's key-in-email lines (`entitlements`, read by the caller).
 * Keys are deterministic (same entitlement, device and issue date give the same key) and stored with HSETNX, so
 * running this twice changes nothing.
 */
export async function issueFulfillmentKeys(
  records: RecordStore,
  catalog: Catalog,
  signingKey: KeyObject | undefined,
  fulfillment: Fulfillment,
  entitlements: Entitlement[],
): Promise<void> {
  for (const e of entitlements) {
    const product = catalog.get(e.product);
    if (product?.mode !== 'key-in-email' || e.devices.length === 0) continue;
    if (!signingKey) throw new Error(`LICENSE_SIGNING_KEY is not set, but ${e.ssrn} (${e.product}) needs signed keys at fulfillment`);
    const pipeline = records.redis.pipeline();
    for (const device of e.devices) {
      const key = issueKey(e, device, product.features, fulfillment.shipDate, signingKey);
      pipeline.hsetnx(records.keys.issuedKeys(e.ssrn), key.device, JSON.stringify(key));
    }
    await pipeline.exec();
  }
}
