import type { FulfillmentDocument } from '../model.ts';
import { verificationUrl } from '../verification/url.ts';

// The certificate's data as a buyer's system reads it: embedded in the PDF as `entitlements.json`, so nothing has to
// be parsed out of the printed text.
// Keys in a fixed order and no time of its own: the same entitlement, the same bytes.

export function entitlementsJson({ fulfillment, order, lines, brand }: FulfillmentDocument): string {
  const data = {
    certificateNumber: fulfillment.certificateNumber,
    issueDate: fulfillment.shipDate,
    verificationUrl: verificationUrl(brand.publicUrl, fulfillment.certificateNumber),
    issuer: brand.name,
    salesOrder: order.number,
    poNumber: order.poNumber ?? null,
    // Field by field: an order read back from the database (jsonb) has its keys in another order than the event's.
    endCustomer: { name: order.endCustomer.name, country: order.endCustomer.country },
    accounts: order.accounts.map((a) => ({ id: a.id, role: a.role, name: a.name })),
    lines: lines.map(({ entitlement: e, keys }) => ({
      lineNumber: e.lineNumber,
      sku: e.sku,
      licenseName: e.licenseName,
      quantity: e.quantity,
      licenseType: e.licenseType,
      purchase: e.purchase,
      termMonths: e.termMonths ?? null,
      startDate: e.startDate,
      endDate: e.endDate ?? null,
      graceDays: e.graceDays,
      renewsSsrn: e.renewsSsrn ?? null,
      activationCode: e.activationCode,
      ssrn: e.ssrn,
      devices: keys.map((k) => k.device),
    })),
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}
