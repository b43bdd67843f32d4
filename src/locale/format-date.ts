import { LRUCache } from 'lru-cache';
import { remember } from '../cache/remember.ts';
import type { IsoDate } from '../model.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Orders share ship and end dates, and Intl takes microseconds over each: a dozen per email and per certificate. */
const formatted = new LRUCache<string, string>({ max: 10_000 });

/**
 * A calendar date in words for a locale ("28 November 2026", "28. November 2026", "2026年11月28日"). Formatters are
 * cached: building one costs far more than using it.
 */
export function formatDate(date: IsoDate, dateLocale: string): string {
  return remember(formatted, `${dateLocale}\u0000${date}`, () => {
    let f = formatters.get(dateLocale);
    if (!f) {
      // UTC because these are calendar dates stored as UTC midnight; any other zone could shift the day.
      f = new Intl.DateTimeFormat(dateLocale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
      formatters.set(dateLocale, f);
    }
    return f.format(new Date(`${date}T00:00:00Z`));
  });
}
