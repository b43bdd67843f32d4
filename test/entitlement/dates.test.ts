import { describe, expect, it } from 'vitest';
import { addDays, addMonths, startOfDayIn, todayIn } from '../../src/entitlement/dates.ts';
import { entitlementDates } from '../../src/entitlement/build.ts';
import type { EventLine } from '../../src/event/schema.ts';

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
const none = () => undefined;

describe('calendar months, clamped to the month end', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-02-29', 48, '2028-02-29'],
    ['2026-12-31', 1, '2027-01-31'],
    ['2026-12-31', 2, '2027-02-28'],
    ['2026-03-31', 1, '2026-04-30'],
    ['2026-11-28', 60, '2031-11-28'],
    ['2026-08-31', 60, '2031-08-31'],
    ['2026-01-15', 120, '2036-01-15'],
  ])('%s + %i months = %s', (from, months, expected) => {
    expect(addMonths(from, months)).toBe(expected);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 30)).toBe('2027-01-30');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});

describe('entitlement dates (contract section 1)', () => {
  it('initial subscription: start at ship date, end after the term plus 30 days of grace', () => {
    expect(entitlementDates(line({ shipDate: '2026-01-31', termMonths: 1 }), 0, none)).toEqual({
      startDate: '2026-01-31',
      endDate: '2026-03-30',
      graceDays: 30,
    });
    expect(entitlementDates(line({ shipDate: '2026-11-28', termMonths: 36 }), 0, none)).toEqual({
      startDate: '2026-11-28',
      endDate: '2029-12-28',
      graceDays: 30,
    });
    expect(entitlementDates(line({ shipDate: '2024-02-29', termMonths: 60 }), 0, none).endDate).toBe('2029-03-30');
    expect(entitlementDates(line({ shipDate: '2026-12-31', termMonths: 1 }), 0, none).endDate).toBe('2027-03-02');
  });

  it('renewal: continues from the stored end date of the renewed SSRN, without grace', () => {
    const renewal = line({
      purchase: 'renewal',
      renews: { ssrn: 'SSRN1111AAAA22', endDate: '2026-12-31' },
      termMonths: 12,
    });
    expect(entitlementDates(renewal, 0, () => '2027-01-31')).toEqual({
      startDate: '2027-01-31',
      endDate: '2028-01-31',
      graceDays: 0,
    });
  });

  it('renewal: falls back to renews.endDate when the store does not know the SSRN', () => {
    const renewal = line({
      purchase: 'renewal',
      renews: { ssrn: 'SSRN1111AAAA22', endDate: '2026-12-31' },
      termMonths: 2,
    });
    expect(entitlementDates(renewal, 0, none)).toEqual({
      startDate: '2026-12-31',
      endDate: '2027-02-28',
      graceDays: 0,
    });
  });

  it('renewal with neither a known SSRN nor an end date is rejected, naming the field', () => {
    const renewal = line({ purchase: 'renewal', renews: { ssrn: 'SSRN1111AAAA22' } });
    expect(() => entitlementDates(renewal, 3, none)).toThrowError(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'lines[3].renews' })] }),
    );
  });

  it('perpetual: starts at ship date and has no end', () => {
    const { termMonths: _t, ...rest } = line({});
    expect(entitlementDates({ ...rest, licenseType: 'perpetual' }, 0, none)).toEqual({
      startDate: '2026-11-28',
      graceDays: 0,
    });
  });
});

describe('days in a fulfillment time zone', () => {
  it('knows today per zone', () => {
    const at = new Date('2026-11-28T23:30:00Z');
    expect(todayIn('UTC', at)).toBe('2026-11-28');
    expect(todayIn('Asia/Tokyo', at)).toBe('2026-11-29');
    expect(todayIn('America/Los_Angeles', at)).toBe('2026-11-28');
  });

  it('finds the instant a date begins, also on DST change days', () => {
    expect(startOfDayIn('2027-01-15', 'UTC').toISOString()).toBe('2027-01-15T00:00:00.000Z');
    expect(startOfDayIn('2027-01-15', 'Europe/Berlin').toISOString()).toBe('2027-01-14T23:00:00.000Z');
    expect(startOfDayIn('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfDayIn('2026-10-25', 'Europe/Berlin').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(startOfDayIn('2026-11-28', 'Asia/Tokyo').toISOString()).toBe('2026-11-27T15:00:00.000Z');
  });
});
