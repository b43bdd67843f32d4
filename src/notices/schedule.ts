import { addDays } from '../entitlement/dates.ts';
import type { IsoDate } from '../model.ts';

// When each subscription notice of contract section 8 falls due. Pure: dates in, dates out.

export type NoticeKind = 'reminder' | 'grace' | 'expiry';

/** `reminder-90`, `grace`, `expiry`: the name a notice is recorded under, once per entitlement and recipient. */
export type NoticeKey = `reminder-${number}` | 'grace' | 'expiry';

export interface ScheduledNotice {
  key: NoticeKey;
  kind: NoticeKind;
  /** Reminders only: days before the paid term ends. */
  offsetDays?: number;
  due: IsoDate;
}

/** What the timer needs of an entitlement. */
export interface TimedEntitlement {
  ssrn: string;
  licenseType: 'subscription' | 'perpetual';
  startDate: IsoDate;
  endDate?: IsoDate;
  /** Grace days included in endDate: 30 for an initial subscription, 0 for a renewal. */
  graceDays: number;
}

/** The inclusive range of dates one sweep covers: the days since the last sweep, or just its own day. */
export interface SweepWindow {
  from: IsoDate;
  to: IsoDate;
}

export function noticeKind(key: NoticeKey): NoticeKind {
  return key.startsWith('reminder-') ? 'reminder' : (key as 'grace' | 'expiry');
}

/** The day the paid term ends: endDate for a renewal, 30 days (the grace) before it for an initial subscription. */
export function paidTermEnd(e: { endDate: IsoDate; graceDays: number }): IsoDate {
  return addDays(e.endDate, -e.graceDays);
}

/**
 * Every notice of a subscription, in the order they fall due. A notice that would fall due before the entitlement
 * starts (a 90-day reminder of a one-month term) has nothing to remind of and is left out; perpetual licenses have
 * none.
 */
export function noticeSchedule(e: TimedEntitlement, offsetsDays: readonly number[]): ScheduledNotice[] {
  if (e.licenseType !== 'subscription' || !e.endDate) return [];
  const paidEnd = paidTermEnd({ endDate: e.endDate, graceDays: e.graceDays });
  const notices: ScheduledNotice[] = offsetsDays.map((days) => ({
    key: `reminder-${days}` as const,
    kind: 'reminder' as const,
    offsetDays: days,
    due: addDays(paidEnd, -days),
  }));
  if (e.graceDays > 0) notices.push({ key: 'grace', kind: 'grace', due: paidEnd });
  notices.push({ key: 'expiry', kind: 'expiry', due: e.endDate });
  return notices.filter((n) => n.due >= e.startDate).sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : 0));
}

/**
 * The one notice a sweep over `window` sends for an entitlement, if any: the latest one due by the window's last day,
 * provided it fell due within the window (earlier ones were an earlier sweep's to send). After downtime this is the
 * catch-up rule: only the latest notice still relevant, never a burst of stale ones. Nothing once the entitlement has
 * expired before the window's last day, and nothing once a renewal of it was accepted.
 */
export function noticeDue(
  e: TimedEntitlement,
  offsetsDays: readonly number[],
  window: SweepWindow,
  renewed: boolean,
): ScheduledNotice | undefined {
  if (renewed || !e.endDate || e.endDate < window.to) return undefined;
  const latest = noticeSchedule(e, offsetsDays)
    .filter((n) => n.due <= window.to)
    .at(-1);
  return latest && latest.due >= window.from ? latest : undefined;
}

/** Notices still to come after `today` (for support's view of an order); none once a renewal was accepted. */
export function noticesAhead(
  e: TimedEntitlement,
  offsetsDays: readonly number[],
  today: IsoDate,
  renewed: boolean,
): ScheduledNotice[] {
  return renewed ? [] : noticeSchedule(e, offsetsDays).filter((n) => n.due > today);
}

/** Longest catch-up a sweep makes: a notice due earlier belongs to an entitlement that has expired since. */
export const MAX_CATCH_UP_DAYS = 3650 + 366;

/**
 * The days a sweep on `today` covers: from the day after the last completed sweep, else (first sweep ever, or a sweep
 * of a day already covered: a rerun, or an operator's `--date` in the past) only `today`.
 */
export function sweepWindow(today: IsoDate, sweptThrough: IsoDate | undefined): SweepWindow {
  if (!sweptThrough || sweptThrough >= today) return { from: today, to: today };
  const next = addDays(sweptThrough, 1);
  const earliest = addDays(today, -MAX_CATCH_UP_DAYS);
  return { from: next > earliest ? next : earliest, to: today };
}
