import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, addMonths, todayIn } from '../../src/entitlement/dates.ts';
import { entitlementDates } from '../../src/entitlement/build.ts';
import type { EventLine } from '../../src/event/schema.ts';

const isoDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const months = fc.integer({ min: 1, max: 120 });
const daysIn = (iso: string) => new Date(Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7), 0)).getUTCDate();
const monthIndex = (iso: string) => +iso.slice(0, 4) * 12 + +iso.slice(5, 7) - 1;

const line = (over: Partial<EventLine>): EventLine => ({
  lineNumber: '1',
  sku: 'S-EX-A-C1-3',
  product: 'ex',
  licenseName: 'n',
  description: 'd',
  quantity: 1,
  licenseType: 'subscription',
  termMonths: 12,
  purchase: 'initial',
  activationCode: 'hTq4Xe-P9dLm-Zw2RbK',
  ssrn: 'SSRN4K7Q2M9X1A',
  shipDate: '2026-11-28',
  ...over,
});

describe('date rules, for any date and term', () => {
  it("adding months lands in the right month, on the same day or the month's last day", () => {
    fc.assert(
      fc.property(isoDate, months, (date, n) => {
        const end = addMonths(date, n);
        expect(monthIndex(end)).toBe(monthIndex(date) + n);
        const day = +date.slice(8);
        expect(+end.slice(8)).toBe(Math.min(day, daysIn(end)));
      }),
      { numRuns: 2000 },
    );
  });

  it('adding days is the same as stepping one day at a time, and is undone by subtracting', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: -400, max: 400 }), (date, n) => {
        expect(addDays(addDays(date, n), -n)).toBe(date);
        expect(Date.parse(addDays(date, n)) - Date.parse(date)).toBe(n * 86_400_000);
      }),
      { numRuns: 2000 },
    );
  });

  it('an initial subscription ends term months plus 30 days after it ships; a renewal continues without gap or grace', () => {
    fc.assert(
      fc.property(isoDate, months, isoDate, (ship, term, renewedEnd) => {
        const initial = entitlementDates(line({ shipDate: ship, termMonths: term }), 0, () => undefined);
        expect(initial.startDate).toBe(ship);
        expect(initial.endDate).toBe(addDays(addMonths(ship, term), 30));
        expect(initial.endDate! > ship).toBe(true);
        const renewal = entitlementDates(
          line({ shipDate: ship, termMonths: term, purchase: 'renewal', renews: { ssrn: 'SSRNOLD000001' } }),
          0,
          () => renewedEnd,
        );
        expect(renewal).toEqual({ startDate: renewedEnd, endDate: addMonths(renewedEnd, term), graceDays: 0 });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('today in a time zone', () => {
  // Zones whose clocks change at midnight, by half hours, or skipped a whole day (Apia, 2011-12-30).
  const zones = [
    'UTC',
    'Europe/Berlin',
    'America/Havana',
    'America/Santiago',
    'Asia/Tehran',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'Pacific/Chatham',
    'Pacific/Apia',
    'America/St_Johns',
  ];
  const instant = fc.integer({ min: Date.parse('2010-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') });

  it('is the date Intl gives for that instant, asked in any order (the answer is kept per quarter hour)', () => {
    const intl = new Map(
      zones.map((z) => [
        z,
        new Intl.DateTimeFormat('en-CA', { timeZone: z, year: 'numeric', month: '2-digit', day: '2-digit' }),
      ]),
    );
    fc.assert(
      fc.property(fc.constantFrom(...zones), instant, fc.integer({ min: -3, max: 3 }), (zone, at, nudgeMinutes) => {
        // Pairs of close instants: the second lands in the same quarter hour as the first, or the next one.
        for (const t of [at, at + nudgeMinutes * 60_000])
          expect(todayIn(zone, new Date(t))).toBe(intl.get(zone)!.format(new Date(t)));
      }),
      { numRuns: 5000 },
    );
  });

  it('changes exactly when the date of the zone changes, minute by minute across every clock change of 2024 and the day Apia skipped', () => {
    const checked: string[] = [];
    for (const zone of zones) {
      const intl = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        hourCycle: 'h23',
      });
      const hourOf = (t: number) => intl.formatToParts(new Date(t)).find((p) => p.type === 'hour')!.value;
      const starts = [Date.parse('2011-12-29T00:00:00Z')];
      // A clock change: local hours one UTC hour apart that are not one apart.
      for (let t = Date.parse('2024-01-01T00:00:00Z'); t < Date.parse('2025-01-01T00:00:00Z'); t += 3_600_000) {
        if ((+hourOf(t) + 1) % 24 !== +hourOf(t + 3_600_000) % 24) starts.push(t - 3 * 3_600_000);
      }
      const date = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
      for (const start of starts) {
        const end = start + (start < Date.parse('2020-01-01T00:00:00Z') ? 72 : 7) * 3_600_000;
        for (let t = start; t < end; t += 60_000)
          expect(todayIn(zone, new Date(t)), `${zone} ${new Date(t).toISOString()}`).toBe(date.format(new Date(t)));
      }
      checked.push(`${zone}:${starts.length - 1}`);
    }
    // Most zones changed their clocks twice in 2024; the test would prove nothing if it found none.
    expect(checked.filter((c) => c.endsWith(':2')).length).toBeGreaterThanOrEqual(5);
  });
});
