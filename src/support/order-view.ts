import { NotFoundError } from '../errors.ts';
import type { Entitlement, SalesOrder } from '../model.ts';
import type { ActivationRecord, ActivationStore } from '../store/activations.ts';
import type { DeliveryStore, DeliveryWithAttempts } from '../store/deliveries.ts';
import type { EntitlementStore } from '../store/entitlements.ts';
import type { FulfillmentStore } from '../store/fulfillments.ts';
import type { OrderStore } from '../store/orders.ts';

/** The repositories an order view reads. */
export interface OrderViewStores {
  orders: OrderStore;
  entitlements: EntitlementStore;
  fulfillments: FulfillmentStore;
  deliveries: DeliveryStore;
  activations: ActivationStore;
}

export interface OrderView {
  order: SalesOrder;
  entitlements: Array<
    Omit<Entitlement, 'orderNumber'> & {
      /**
       * Devices holding a signed key (issued at fulfillment or by email activation); the keys themselves are not shown.
       */
      keys: Array<{ device: string; licenseId: string; issuedOn: string }>;
      activations: ActivationRecord[];
    }
  >;
  fulfillments: Array<{
    id: string;
    eventId: string;
    shipDate: string;
    certificateNumber: string;
    shippedAt?: string;
    deliveries: DeliveryWithAttempts[];
  }>;
}

/** What support sees of an order: entitlements, every delivery (first and resends) per recipient, activations. */
export async function orderView(stores: OrderViewStores, orderNumber: string): Promise<OrderView> {
  const order = await stores.orders.get(orderNumber);
  if (!order) throw new NotFoundError(`no sales order ${orderNumber}`);
  const [entitlements, fulfillments, all] = await Promise.all([
    stores.entitlements.forOrder(orderNumber),
    stores.fulfillments.forOrder(orderNumber),
    stores.deliveries.forOrder(orderNumber),
  ]);
  return {
    order,
    entitlements: await Promise.all(
      entitlements.map(async ({ orderNumber: _n, ...e }) => ({
        ...e,
        keys: (await stores.activations.issuedKeys(e.ssrn)).map(({ device, licenseId, issuedOn }) => ({
          device,
          licenseId,
          issuedOn,
        })),
        activations: await stores.activations.activations(e.ssrn),
      })),
    ),
    fulfillments: fulfillments.map((f) => ({
      id: f.id,
      eventId: f.eventId,
      shipDate: f.shipDate,
      certificateNumber: f.certificateNumber,
      ...(f.fannedOutAt && { shippedAt: f.fannedOutAt }),
      deliveries: all.filter((d) => d.fulfillmentId === f.id),
    })),
  };
}
