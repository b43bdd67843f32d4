import type { Catalog } from '../catalog/catalog.ts';
import type { FulfillmentEvent } from '../event/schema.ts';
import type { Brand, Entitlement, FulfillmentDocument, IssuedKey } from '../model.ts';
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
  return planFulfillments(entitlements).map((fulfillment) => ({
    fulfillment,
    order: { ...event.salesOrder, locale: event.salesOrder.locale ?? 'en' },
    lines: fulfillment.ssrns.map((ssrn) => {
      const entitlement = entitlements.find((e) => e.ssrn === ssrn)!;
      const product = catalog.get(entitlement.product)!;
      return { entitlement, product, keys: product.mode === 'key-in-email' ? keysFor(entitlement) : [] };
    }),
    brand,
  }));
}
