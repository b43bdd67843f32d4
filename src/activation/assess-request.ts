import { compareDates } from '../entitlement/dates.ts';
import type { ActivationRequest } from '../inbound/extract-request.ts';
import type { CatalogProduct, Entitlement, IsoDate, SalesOrder } from '../model.ts';
import type { KeylessAnswer } from './reply.ts';

/** What the store knows of the one code a request names. */
export interface CodeRecords {
  entitlement?: Entitlement;
  order?: SalesOrder;
  product?: CatalogProduct;
}

/**
 * What to do with a request. `valid`: a known code of an order on which the sender is a contact; it is answered
 * whatever failures came before (a forged sender's failures cannot lock the contact out), within the answer caps.
 * Anything else is a failure, answered only while the sender's failure throttle allows.
 */
export type Assessment =
  | { valid: false; answer: KeylessAnswer; locale: string; order?: string }
  | { valid: true; code: string; entitlement: Entitlement; order: SalesOrder; issue: boolean; answer?: KeylessAnswer };

/** Pure: the same request and records give the same assessment. `issue` means: claim keys for `request.devices`. */
export function assessRequest(
  request: ActivationRequest,
  sender: string,
  records: CodeRecords,
  today: IsoDate,
): Assessment {
  if (request.codes.length === 0) return { valid: false, answer: { kind: 'no-code' }, locale: 'en' };
  if (request.codes.length > 1) return { valid: false, answer: { kind: 'several-codes' }, locale: 'en' };
  const code = request.codes[0]!;
  const { entitlement, order, product } = records;
  // An unknown code and a sender not on the order get the same answer: nothing tells an outsider which codes exist.
  if (!entitlement || !order || !product || !order.contacts.some((c) => c.email.toLowerCase() === sender)) {
    return { valid: false, answer: { kind: 'unknown-or-not-allowed' }, locale: 'en' };
  }
  const valid = { valid: true as const, code, entitlement, order };
  if (product.mode !== 'email-activation') {
    return {
      ...valid,
      issue: false,
      answer: { kind: 'not-by-email', licenseName: entitlement.licenseName, instructionsUrl: product.instructionsUrl },
    };
  }
  if (request.devices.length === 0)
    return { valid: false, answer: { kind: 'no-device', code }, locale: order.locale, order: order.number };
  if (compareDates(entitlement.shipDate, today) > 0) {
    return {
      ...valid,
      issue: false,
      answer: { kind: 'not-yet-shipped', licenseName: entitlement.licenseName, shipDate: entitlement.shipDate },
    };
  }
  return { ...valid, issue: true };
}
