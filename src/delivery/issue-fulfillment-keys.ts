import type { KeyObject } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.ts';
import { issueKey } from '../license/key.ts';
import type { CatalogProduct, Entitlement, Fulfillment, IssuedKey } from '../model.ts';
import type { ActivationStore } from '../store/activations.ts';

/**
 * Issues the signed key of every device on the fulfillment's key-in-email lines (`entitlements`, read by the caller).
 * Keys are deterministic (same entitlement, device and issue date give the same key) and a device's first key is
 * kept, so running this twice changes nothing.
 */
export async function issueFulfillmentKeys(
  activations: Pick<ActivationStore, 'issueKeys'>,
  catalog: Catalog,
  signingKey: KeyObject | undefined,
  fulfillment: Fulfillment,
  entitlements: Entitlement[],
): Promise<void> {
  for (const e of entitlements) {
    const product = catalog.get(e.product);
    if (product?.mode !== 'key-in-email' || e.devices.length === 0) continue;
    if (!signingKey)
      throw new Error(`LICENSE_SIGNING_KEY is not set, but ${e.ssrn} (${e.product}) needs signed keys at fulfillment`);
    await activations.issueKeys(e.ssrn, deviceKeys(e, product, fulfillment.shipDate, signingKey));
  }
}

/**
 * The keys of a key-in-email entitlement's devices, issued on the fulfillment's ship date (what `render` shows
 * too).
 */
export function deviceKeys(
  e: Entitlement,
  product: CatalogProduct,
  shipDate: string,
  signingKey: KeyObject,
): IssuedKey[] {
  return e.devices.map((device) => issueKey(e, device, product.features, shipDate, signingKey));
}
