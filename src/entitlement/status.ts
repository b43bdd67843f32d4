import type { Entitlement, IsoDate } from '../model.ts';
import { addDays, compareDates } from './dates.ts';

export const ENTITLEMENT_STATUSES = ['active', 'expiring', 'in-grace', 'expired'] as const;
export type EntitlementStatus = (typeof ENTITLEMENT_STATUSES)[number];

/** How far ahead an end date makes an entitlement "expiring" (contract section 6). */
export const EXPIRING_WITHIN_DAYS = 90;

/**
 * Where an entitlement stands on `today`, the first that applies: `expired` from its endDate on; `in-grace` during an
 * initial subscription's grace days; `expiring` when the endDate is within 90 days; else (always for perpetual)
 * `active`. The same rule as the account query's SQL (src/store/entitlement-search.ts), so a page and the API agree.
 */
export function entitlementStatus(e: Pick<Entitlement, 'endDate' | 'graceDays'>, today: IsoDate): EntitlementStatus {
  if (!e.endDate) return 'active';
  if (compareDates(today, e.endDate) >= 0) return 'expired';
  if (e.graceDays > 0 && compareDates(today, addDays(e.endDate, -e.graceDays)) >= 0) return 'in-grace';
  return compareDates(addDays(today, EXPIRING_WITHIN_DAYS), e.endDate) >= 0 ? 'expiring' : 'active';
}
