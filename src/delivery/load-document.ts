import type { Catalog } from '../catalog/catalog.ts';
import type { Brand, FulfillmentDocument } from '../model.ts';
import type { DocumentRecords, RecordStore, StoredFulfillment } from '../store/records.ts';

/**
 * Assembles what the email and certificate render from, out of the stored records. The order details come from the
 * event that created the fulfillment, so re-rendering later yields the same document even if the order changed since.
 * `onlySsrns` narrows the lines (a resend of chosen lines); undefined when the fulfillment's records are gone.
 */
export async function loadDocument(
  records: RecordStore,
  catalog: Catalog,
  brand: Brand,
  fulfillmentId: string,
  onlySsrns?: string[],
): Promise<FulfillmentDocument | undefined> {
  const fulfillment = await records.fulfillment(fulfillmentId);
  if (!fulfillment) return undefined;
  const ssrns = onlySsrns ? fulfillment.ssrns.filter((s) => onlySsrns.includes(s)) : fulfillment.ssrns;
  return assembleDocument(records, catalog, brand, fulfillment, await records.documentRecords(fulfillment, ssrns));
}

/** The document of a fulfillment whose records the caller has read already (the fan-out reads them for other uses too). */
export async function assembleDocument(
  records: RecordStore,
  catalog: Catalog,
  brand: Brand,
  fulfillment: StoredFulfillment,
  { stored, entitlements }: DocumentRecords,
): Promise<FulfillmentDocument | undefined> {
  if (!stored) return undefined;
  const lines = await Promise.all(
    entitlements.map(async (entitlement) => {
      const product = catalog.get(entitlement.product);
      if (!product) throw new Error(`product "${entitlement.product}" of ${entitlement.ssrn} is no longer in the catalog`);
      const keys = product.mode === 'key-in-email' ? await records.issuedKeys(entitlement.ssrn) : [];
      return { entitlement, product, keys };
    }),
  );
  const { deliveryIds: _ids, fannedOutAt: _at, ...plain } = fulfillment;
  return {
    fulfillment: plain,
    order: { ...stored.event.salesOrder, locale: stored.event.salesOrder.locale ?? 'en' },
    lines,
    brand,
  };
}
