import type { Entitlement, IsoDate } from '../model.ts';
import type { EventLine, FulfillmentEvent } from '../event/schema.ts';
import { InvalidInputError } from '../errors.ts';
import { addDays, addMonths, INITIAL_GRACE_DAYS } from './dates.ts';

/** What the store knows of an SSRN being renewed; undefined when it does not know the SSRN. */
export type RenewedEndDateLookup = (ssrn: string) => IsoDate | undefined;

/** Entitlement dates as contract section 1 states them. Throws InvalidInputError naming the line's field. */
export function entitlementDates(
  line: EventLine,
  lineIndex: number,
  renewedEndDate: RenewedEndDateLookup,
): Pick<Entitlement, 'startDate' | 'endDate' | 'graceDays'> {
  if (line.licenseType === 'perpetual') return { startDate: line.shipDate, graceDays: 0 };
  const term = line.termMonths!;
  if (line.purchase === 'initial') {
    return {
      startDate: line.shipDate,
      endDate: addDays(addMonths(line.shipDate, term), INITIAL_GRACE_DAYS),
      graceDays: INITIAL_GRACE_DAYS,
    };
  }
  const known = line.renews?.ssrn ? renewedEndDate(line.renews.ssrn) : undefined;
  const startDate = known ?? line.renews?.endDate;
  if (!startDate) {
    throw new InvalidInputError('invalid fulfillment event', [
      { path: `lines[${lineIndex}].renews`, message: 'names no end date and an SSRN this service does not know' },
    ]);
  }
  return { startDate, endDate: addMonths(startDate, term), graceDays: 0 };
}

export function buildEntitlements(event: FulfillmentEvent, renewedEndDate: RenewedEndDateLookup): Entitlement[] {
  return event.lines.map((line, i) => ({
    orderNumber: event.salesOrder.number,
    eventId: event.eventId,
    lineNumber: line.lineNumber,
    sku: line.sku,
    product: line.product,
    licenseName: line.licenseName,
    description: line.description,
    quantity: line.quantity,
    licenseType: line.licenseType,
    purchase: line.purchase,
    ...(line.termMonths !== undefined && { termMonths: line.termMonths }),
    ...(line.renews?.ssrn !== undefined && { renewsSsrn: line.renews.ssrn }),
    activationCode: line.activationCode,
    ssrn: line.ssrn,
    shipDate: line.shipDate,
    ...entitlementDates(line, i, renewedEndDate),
    devices: line.devices ?? [],
  }));
}
