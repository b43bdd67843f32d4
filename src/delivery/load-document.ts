import type { Catalog } from '../catalog/catalog.ts';
import { fulfillmentDocument } from '../entitlement/documents.ts';
import type { Brand, FulfillmentDocument } from '../model.ts';
import type { ActivationStore } from '../store/activations.ts';
import type { DocumentRecords, FulfillmentStore, StoredFulfillment } from '../store/fulfillments.ts';

/** Where a document's records are read from. */
export interface DocumentStores {
  fulfillments: FulfillmentStore;
  activations: Pick<ActivationStore, 'issuedKeys'>;
}

/**
 * Assembles what the email and certificate render from, out of the stored records. The order details come from the
 * event that created the fulfillment, so re-rendering later yields the same document even if the order changed since.
 * `onlySsrns` narrows the lines (a resend of chosen lines); undefined when the fulfillment's records are gone.
 */
export async function loadDocument(
  stores: DocumentStores,
  catalog: Catalog,
  brand: Brand,
  fulfillmentId: string,
  onlySsrns?: string[],
): Promise<FulfillmentDocument | undefined> {
  const fulfillment = await stores.fulfillments.get(fulfillmentId);
  if (!fulfillment) return undefined;
  const ssrns = onlySsrns ? fulfillment.ssrns.filter((s) => onlySsrns.includes(s)) : fulfillment.ssrns;
  return assembleDocument(
    stores,
    catalog,
    brand,
    fulfillment,
    await stores.fulfillments.documentRecords(fulfillment, ssrns),
  );
}

/**
 * The document of a fulfillment whose records the caller has read already (the fan-out reads them for other uses
 * too).
 */
export async function assembleDocument(
  stores: DocumentStores,
  catalog: Catalog,
  brand: Brand,
  fulfillment: StoredFulfillment,
  { stored, entitlements }: DocumentRecords,
): Promise<FulfillmentDocument | undefined> {
  if (!stored) return undefined;
  const keyed = entitlements.filter((e) => catalog.get(e.product)?.mode === 'key-in-email');
  const keys = new Map(
    await Promise.all(keyed.map(async (e) => [e.ssrn, await stores.activations.issuedKeys(e.ssrn)] as const)),
  );
  const { fannedOutAt: _at, ...plain } = fulfillment;
  return fulfillmentDocument(
    plain,
    stored.event.salesOrder,
    entitlements,
    catalog,
    brand,
    (e) => keys.get(e.ssrn) ?? [],
  );
}
