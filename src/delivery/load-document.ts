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
 * Undefined when the event's record is gone.
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

/** The records of chosen lines only (a resend of some lines), in the fulfillment's order. */
export function onlyLines(records: DocumentRecords, ssrns: string[]): DocumentRecords {
  return { ...records, entitlements: records.entitlements.filter((e) => ssrns.includes(e.ssrn)) };
}
