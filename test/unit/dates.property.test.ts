import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, addMonths } from '../../src/entitlement/dates.ts';
import { entitlementDates } from '../../src/entitlement/build.ts';
import type { EventLine } from '../../src/event/schema.ts';

const isoDate = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const months = fc.integer({ min: 1, max: 120 });
const daysIn = (iso: string) => new Date(Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7), 0)).getUTCDate();
const monthIndex = (iso: string) => +iso.slice(0, 4) * 12 + +iso.slice(5, 7) - 1;

const line = (over: Partial<EventLine>): EventLine => ({
  lineNumber: '1', sku: 'S-EX-A-C1-3', product: 'ex', licenseName: 'n', description: 'd', quantity: 1, licenseType: 'subscription',
  termMonths: 12, purchase: 'initial', activationCode: 'hTq4Xe-P9dLm-Zw2RbK', ssrn: 'SSRN4K7Q2M9X1A', shipDate: '2026-11-28', ...over,
});

describe('date rules, for any date and term', () => {
  it('adding months lands in the right month, on the same day or the month\'s last day', () => {
    fc.assert(fc.property(isoDate, months, (date, n) => {
      const end = addMonths(date, n);
      expect(monthIndex(end)).toBe(monthIndex(date) + n);
      const day = +date.slice(8);
      expect(+end.slice(8)).toBe(Math.min(day, daysIn(end)));
    }), { numRuns: 2000 });
  });

  it('adding days is the same as stepping one day at a time, and is undone by subtracting', () => {
    fc.assert(fc.property(isoDate, fc.integer({ min: -400, max: 400 }), (date, n) => {
      expect(addDays(addDays(date, n), -n)).toBe(date);
      expect(Date.parse(addDays(date, n)) - Date.parse(date)).toBe(n * 86_400_000);
    }), { numRuns: 2000 });
  });

  it('an initial subscription ends term months plus 30 days after it ships; a renewal continues without gap or grace', () => {
    fc.assert(fc.property(isoDate, months, isoDate, (ship, term, renewedEnd) => {
      const initial = entitlementDates(line({ shipDate: ship, termMonths: term }), 0, () => undefined);
      expect(initial.startDate).toBe(ship);
      expect(initial.endDate).toBe(addDays(addMonths(ship, term), 30));
      expect(initial.endDate! > ship).toBe(true);
      const renewal = entitlementDates(line({ shipDate: ship, termMonths: term, purchase: 'renewal', renews: { ssrn: 'SSRNOLD000001' } }), 0, () => renewedEnd);
      expect(renewal).toEqual({ startDate: renewedEnd, endDate: addMonths(renewedEnd, term), graceDays: 0 });
    }), { numRuns: 1000 });
  });
});
