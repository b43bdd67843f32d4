import { NotFoundError } from '../errors.ts';
import type { Entitlement, SalesOrder } from '../model.ts';
import type { DeliveryRecord, DeliveryStore } from '../store/deliveries.ts';
import type { ActivationRecord, RecordStore } from '../store/records.ts';

export interface OrderView {
  order: SalesOrder;
  entitlements: Array<Omit<Entitlement, 'orderNumber'> & {
    /** Devices holding a signed key (issued at fulfillment or by email activation); the keys themselves are not shown. */
    keys: Array<{ device: string; licenseId: string; issuedOn: string }>;
    activations: ActivationRecord[];
  }>;
  fulfillments: Array<{
    id: string;
    eventId: string;
    shipDate: string;
    certificateNumber: string;
    shippedAt?: string;
    deliveries: DeliveryRecord[];
  }>;
}

/** What support sees of an order: entitlements, every delivery (first and resends) per recipient, activations. */
export async function orderView(records: RecordStore, deliveries: DeliveryStore, orderNumber: string): Promise<OrderView> {
  const order = await records.order(orderNumber);
  if (!order) throw new NotFoundError(`no sales order ${orderNumber}`);
  const [entitlements, fulfillments, all] = await Promise.all([
    records.orderEntitlements(orderNumber),
    records.orderFulfillments(orderNumber),
    deliveries.forOrder(orderNumber),
  ]);
  return {
    order,
    entitlements: await Promise.all(entitlements.map(async ({ orderNumber: _n, ...e }) => ({
      ...e,
      keys: (await records.issuedKeys(e.ssrn)).map(({ device, licenseId, issuedOn }) => ({ device, licenseId, issuedOn })),
      activations: await records.activations(e.ssrn),
    }))),
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
