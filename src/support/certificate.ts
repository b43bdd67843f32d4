import { NotFoundError } from '../errors.ts';
import { certificateFileName } from '../mail/compose.ts';
import type { FulfillmentStore } from '../store/fulfillments.ts';

/**
 * The certificate bytes first attached for an order's delivered fulfillment: the one named, else the latest. A
 * fulfillment not yet delivered has none to give.
 */
export async function deliveredCertificate(
  fulfillments: FulfillmentStore,
  orderNumber: string,
  fulfillmentId?: string,
): Promise<{ fileName: string; pdf: Buffer }> {
  const shipped = (await fulfillments.forOrder(orderNumber)).filter((f) => f.fannedOutAt);
  const chosen = fulfillmentId ? shipped.find((f) => f.id === fulfillmentId) : shipped.at(-1);
  const pdf = chosen && (await fulfillments.certificate(chosen.id));
  if (!chosen || !pdf)
    throw new NotFoundError(
      fulfillmentId
        ? `no delivered fulfillment ${fulfillmentId} on order ${orderNumber}`
        : `order ${orderNumber} has no delivered certificate`,
    );
  return { fileName: certificateFileName(chosen.certificateNumber), pdf };
}
