import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, addMonths } from '../../src/entitlement/dates.ts';
import {
  noticeDue,
  noticeSchedule,
  noticesAhead,
  paidTermEnd,
  sweepWindow,
  type TimedEntitlement,
} from '../../src/notices/schedule.ts';

const OFFSETS = [90, 30, 7];

/** An entitlement with the contract's dates (section 1). */
function initial(shipDate: string, months = 12): TimedEntitlement & { endDate: string } {
  return {
    ssrn: 'SSRN0000000001',
    licenseType: 'subscription',
    startDate: shipDate,
    endDate: addDays(addMonths(shipDate, months), 30),
    graceDays: 30,
  };
}
function renewal(startDate: string, months = 12): TimedEntitlement & { endDate: string } {
  return {
    ssrn: 'SSRN0000000002',
    licenseType: 'subscription',
    startDate,
    endDate: addMonths(startDate, months),
    graceDays: 0,
  };
}
const day = (d: string) => ({ from: d, to: d });
const dueOn = (e: TimedEntitlement, d: string, renewed = false) => noticeDue(e, OFFSETS, day(d), renewed)?.key;

describe('the notices of a subscription', () => {
  it('an initial 12-month subscription: reminders 90, 30 and 7 days before the paid term ends, grace when it ends, expiry on endDate', () => {
    const e = initial('2026-01-15');
    expect(e.endDate).toBe('2027-02-14');
    expect(noticeSchedule(e, OFFSETS).map((n) => [n.key, n.due])).toEqual([
      ['reminder-90', '2026-10-17'],
      ['reminder-30', '2026-12-16'],
      ['reminder-7', '2027-01-08'],
      ['grace', '2027-01-15'],
      ['expiry', '2027-02-14'],
    ]);
  });

  it('a renewal: reminders before endDate, no grace notice, expiry on endDate', () => {
    const e = renewal('2027-02-14');
    expect(noticeSchedule(e, OFFSETS).map((n) => [n.key, n.due])).toEqual([
      ['reminder-90', '2027-11-16'],
      ['reminder-30', '2028-01-15'],
      ['reminder-7', '2028-02-07'],
      ['expiry', '2028-02-14'],
    ]);
  });

  it('each notice is due on its day only, and nothing between', () => {
    const e = initial('2026-01-15');
    expect(dueOn(e, '2026-10-17')).toBe('reminder-90');
    expect(dueOn(e, '2026-10-16')).toBeUndefined();
    expect(dueOn(e, '2026-10-18')).toBeUndefined();
    expect(dueOn(e, '2027-01-15')).toBe('grace');
    expect(dueOn(e, '2027-02-14')).toBe('expiry');
    expect(dueOn(e, '2027-02-15')).toBeUndefined();
  });

  it('perpetual licenses have no notices', () => {
    expect(
      noticeSchedule({ ssrn: 'P', licenseType: 'perpetual', startDate: '2026-01-01', graceDays: 0 }, OFFSETS),
    ).toEqual([]);
  });

  it('a short term leaves out the reminders that would fall before it starts', () => {
    const e = initial('2026-01-31', 1);
    expect(noticeSchedule(e, OFFSETS).map((n) => n.key)).toEqual(['reminder-7', 'grace', 'expiry']);
  });

  it('a renewal accepted cancels every notice still to come', () => {
    const e = initial('2026-01-15');
    expect(dueOn(e, '2026-12-16', true)).toBeUndefined();
    expect(noticesAhead(e, OFFSETS, '2026-11-01', true)).toEqual([]);
    expect(noticesAhead(e, OFFSETS, '2026-11-01', false).map((n) => n.key)).toEqual([
      'reminder-30',
      'reminder-7',
      'grace',
      'expiry',
    ]);
  });

  it('leap years and month ends: Feb 29 and Jan 31 starts', () => {
    const leap = initial('2028-02-29');
    expect(leap.endDate).toBe('2029-03-30');
    expect(paidTermEnd(leap)).toBe('2029-02-28');
    expect(noticeSchedule(leap, OFFSETS).map((n) => n.due)).toEqual([
      '2028-11-30',
      '2029-01-29',
      '2029-02-21',
      '2029-02-28',
      '2029-03-30',
    ]);
    const monthEnd = renewal('2027-01-31', 1);
    expect(monthEnd.endDate).toBe('2027-02-28');
    expect(noticeSchedule(monthEnd, OFFSETS).map((n) => [n.key, n.due])).toEqual([
      ['reminder-7', '2027-02-21'],
      ['expiry', '2027-02-28'],
    ]);
    // A reminder 7 days before 2028-03-07 falls on the leap day.
    expect(dueOn(renewal('2027-03-07'), '2028-02-29')).toBe('reminder-7');
  });
});

describe('catch-up after downtime', () => {
  it('down 40 days: only the 7-day reminder, not the 90-, 30- and 7-day ones at once', () => {
    const e = initial('2026-01-15');
    // Last sweep the day before the 90-day reminder; back 40 days after... well past the 30-day one.
    const back = sweepWindow('2027-01-10', '2026-12-01');
    expect(back).toEqual({ from: '2026-12-02', to: '2027-01-10' });
    expect(noticeDue(e, OFFSETS, back, false)?.key).toBe('reminder-7');
  });

  it('a notice for an entitlement that expired meanwhile is dropped', () => {
    const e = initial('2026-01-15');
    expect(noticeDue(e, OFFSETS, sweepWindow('2027-02-20', '2027-01-01'), false)).toBeUndefined();
  });

  it('nothing that fell due before the window: an earlier sweep handled it', () => {
    const e = initial('2026-01-15');
    expect(noticeDue(e, OFFSETS, { from: '2026-10-18', to: '2026-11-30' }, false)).toBeUndefined();
  });

  it('the window: since the last sweep; only today for a first sweep, a rerun or a past date', () => {
    expect(sweepWindow('2027-01-10', undefined)).toEqual(day('2027-01-10'));
    expect(sweepWindow('2027-01-10', '2027-01-10')).toEqual(day('2027-01-10'));
    expect(sweepWindow('2027-01-10', '2027-03-01')).toEqual(day('2027-01-10'));
    expect(sweepWindow('2027-01-10', '2027-01-09')).toEqual(day('2027-01-10'));
  });
});

const isoDate = fc
  .date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2080-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const subscription = fc
  .record({ start: isoDate, months: fc.integer({ min: 1, max: 60 }), isInitial: fc.boolean() })
  .map(({ start, months, isInitial }) => (isInitial ? initial(start, months) : renewal(start, months)));
const offsets = fc
  .uniqueArray(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 5 })
  .map((o) => o.sort((a, b) => b - a));

describe('for any subscription and any offsets', () => {
  it('swept every day, each notice of its schedule goes out once, on its own day', () => {
    fc.assert(
      fc.property(subscription, offsets, (e, offs) => {
        const sent: Array<[string, string]> = [];
        for (
          let d = addDays(e.startDate, -1), last: string | undefined;
          d <= addDays(e.endDate, 2);
          last = d, d = addDays(d, 1)
        ) {
          const n = noticeDue(e, offs, sweepWindow(d, last), false);
          if (n) sent.push([n.key, d]);
        }
        expect(sent).toEqual(noticeSchedule(e, offs).map((n) => [n.key, n.due]));
      }),
      { numRuns: 150 },
    );
  });

  it('after any downtime, one notice at most, the latest one due, and never for an expired entitlement', () => {
    fc.assert(
      fc.property(
        subscription,
        offsets,
        fc.integer({ min: -30, max: 800 }),
        fc.integer({ min: 1, max: 400 }),
        (e, offs, lastOffset, down) => {
          const last = addDays(e.startDate, lastOffset);
          const today = addDays(last, down);
          const n = noticeDue(e, offs, sweepWindow(today, last), false);
          const schedule = noticeSchedule(e, offs);
          const inWindow = schedule.filter((s) => s.due > last && s.due <= today);
          if (e.endDate < today || inWindow.length === 0) expect(n).toBeUndefined();
          else expect(n).toEqual(inWindow.at(-1));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('the schedule is in date order, every notice on or after the start and none after endDate', () => {
    fc.assert(
      fc.property(subscription, offsets, (e, offs) => {
        const dues = noticeSchedule(e, offs).map((n) => n.due);
        expect([...dues].sort()).toEqual(dues);
        expect(dues.every((d) => d >= e.startDate && d <= e.endDate)).toBe(true);
        expect(dues.at(-1)).toBe(e.endDate);
      }),
      { numRuns: 500 },
    );
  });
});
