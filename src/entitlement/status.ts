import type { Entitlement, IsoDate } from '../model.ts';
import { addDays, compareDates } from './dates.ts';

export const ENTITLEMENT_STATUSES = ['active', 'expiring', 'in-grace', 'expired'] as const;
export type EntitlementStatus = (typeof ENTITLEMENT_STATUSES)[number];

/** How far ahead the end of the paid term makes an entitlement "expiring" (contract section 6). */
export const EXPIRING_WITHIN_DAYS = 90;

/**
 * Where an entitlement stands on `today`: `expired` from its endDate on; `in-grace` once the paid term has ended and
 * grace days remain; `expiring` when the paid term ends within 90 days; else (and always for perpetual) `active`.
 */
export function entitlementStatus(e: Pick<Entitlement, 'endDate' | 'graceDays'>, today: IsoDate): EntitlementStatus {
  if (!e.endDate) return 'active';
  if (compareDates(today, e.endDate) >= 0) return 'expired';
  const paidTermEnd = addDays(e.endDate, -e.graceDays);
  if (compareDates(today, paidTermEnd) >= 0) return 'in-grace';
  return compareDates(addDays(today, EXPIRING_WITHIN_DAYS), paidTermEnd) >= 0 ? 'expiring' : 'active';
}
