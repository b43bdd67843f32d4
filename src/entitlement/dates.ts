import { LRUCache } from 'lru-cache';
import { remember } from '../cache/remember.ts';
import type { IsoDate } from '../model.ts';

// Calendar arithmetic on ISO dates, in UTC so no local offset or DST can move a day.

export const INITIAL_GRACE_DAYS = 30;

function parse(date: IsoDate): { y: number; m: number; d: number } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return { y, m, d };
}

function format(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Calendar months, clamped to the month's end: Jan 31 + 1 month = Feb 28 (29 in a leap year). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { y, m, d } = parse(date);
  const total = y * 12 + (m - 1) + months;
  const ty = Math.floor(total / 12);
  const tm = (total % 12) + 1;
  return format(Date.UTC(ty, tm - 1, Math.min(d, daysInMonth(ty, tm))));
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const { y, m, d } = parse(date);
  return format(Date.UTC(y, m - 1, d + days));
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every UTC offset in use since 1970 is a whole number of quarter hours, and clocks change on the quarter hour, so
 * the calendar date in any zone is the same throughout each quarter hour of UTC: one lookup per zone and quarter hour
 * serves every event of it (Intl's formatToParts costs tens of microseconds).
 */
const QUARTER_HOUR_MS = 15 * 60_000;
const todays = new LRUCache<string, { quarter: number; date: IsoDate }>({ max: 100 });

/** Today's calendar date in a time zone (IANA name). */
export function todayIn(timeZone: string, now: Date): IsoDate {
  const quarter = Math.floor(now.getTime() / QUARTER_HOUR_MS);
  const known = todays.get(timeZone);
  if (known?.quarter === quarter) return known.date;
  const { date } = localDateParts(timeZone, now);
  todays.set(timeZone, { quarter, date });
  return date;
}

// Building an Intl.DateTimeFormat costs far more than using one; intake and fan-out ask for every line.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localDateParts(timeZone: string, at: Date): { date: IsoDate; offsetMs: number } {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    offsetMs: asUtc - Math.floor(at.getTime() / 1000) * 1000,
  };
}

/** Days already placed in time: every line of every order shipping that day asks again. */
const startsOfDay = new LRUCache<string, number>({ max: 10_000 });

/** The instant a calendar date begins in a time zone (midnight local; DST-safe by re-checking the offset). */
export function startOfDayIn(date: IsoDate, timeZone: string): Date {
  return new Date(
    remember(startsOfDay, `${timeZone}\u0000${date}`, () => {
      const { y, m, d } = parse(date);
      const guess = Date.UTC(y, m - 1, d);
      const first = guess - localDateParts(timeZone, new Date(guess)).offsetMs;
      return guess - localDateParts(timeZone, new Date(first)).offsetMs;
    }),
  );
}
