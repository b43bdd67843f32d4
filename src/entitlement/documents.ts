import type { Catalog } from '../catalog/catalog.ts';
import type { FulfillmentEvent } from '../event/schema.ts';
import type { Brand, Entitlement, Fulfillment, FulfillmentDocument, IssuedKey } from '../model.ts';
import { buildEntitlements, type RenewedEndDateLookup } from './build.ts';
import { planFulfillments } from './fulfillments.ts';

/**
 * Every fulfillment document of an event (one per ship date), straight from the event: what `render` previews and
 * what tests check. `keysFor` supplies the keys of key-in-email lines.
 */
export function documentsFromEvent(
  event: FulfillmentEvent,
  catalog: Catalog,
  brand: Brand,
  keysFor: (e: Entitlement) => IssuedKey[] = () => [],
  renewedEndDate: RenewedEndDateLookup = () => undefined,
): FulfillmentDocument[] {
  const entitlements = buildEntitlements(event, renewedEndDate);
  return planFulfillments(entitlements).map((fulfillment) =>
    fulfillmentDocument(
      fulfillment,
      event.salesOrder,
      fulfillment.ssrns.map((ssrn) => entitlements.find((e) => e.ssrn === ssrn)!),
      catalog,
      brand,
      keysFor,
    ),
  );
}

/**
 * The document of one fulfillment, whether its parts come from the event (documentsFromEvent: what `render` previews)
 * or from the store (delivery/load-document.ts: what the service sends). `entitlements` in line order.
 */
export function fulfillmentDocument(
  fulfillment: Fulfillment,
  salesOrder: FulfillmentEvent['salesOrder'],
  entitlements: Entitlement[],
  catalog: Catalog,
  brand: Brand,
  keysFor: (e: Entitlement) => IssuedKey[],
): FulfillmentDocument {
  return {
    fulfillment,
    order: { ...salesOrder, locale: salesOrder.locale ?? 'en' },
    lines: entitlements.map((entitlement) => {
      const product = catalog.get(entitlement.product);
      if (!product)
        throw new Error(`product "${entitlement.product}" of ${entitlement.ssrn} is no longer in the catalog`);
      return { entitlement, product, keys: product.mode === 'key-in-email' ? keysFor(entitlement) : [] };
    }),
    brand,
  };
}
