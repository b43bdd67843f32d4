import type { Clock } from '../clock.ts';
import type { IsoDate } from '../model.ts';
import type { NoticeStore } from '../store/notices.ts';
import { planNotices, type DueNotice, type NoticeClaim, type PlannedNotice } from './plan.ts';
import { noticeDue, noticeSchedule, sweepWindow, type SweepWindow } from './schedule.ts';

export interface SweepDeps {
  notices: Pick<
    NoticeStore,
    'sweptThrough' | 'dueBetween' | 'recipients' | 'claims' | 'record' | 'unqueued' | 'markSwept'
  >;
  clock: Clock;
  offsetsDays: readonly number[];
  /** The sender's address: Message-IDs are made under its domain. */
  fromAddress: string;
  /** Queues one send job per delivery id; the ids are deterministic, so queueing one twice keeps one job. */
  enqueueNotices(ids: string[]): Promise<void>;
}

export interface SweepResult {
  date: IsoDate;
  window: SweepWindow;
  /** What goes out (a dry run: what would). */
  planned: PlannedNotice[];
  /** Deliveries recorded by this sweep; fewer than planned when another sweep recorded some first. */
  recorded: number;
  /** Jobs handed to the queue: this sweep's deliveries and any an earlier sweep may have recorded and not queued. */
  queued: number;
}

/** Deliveries recorded per transaction; the queue takes one batch while the next is recorded. */
const BATCH = 2000;
/** In flight longer than this, a delivery is queued again (its job may be lost with a Redis that kept nothing). */
const REQUEUE_AFTER_MS = 86_400_000;

/**
 * The subscription timer's daily run for `date` (a calendar date in FULFILLMENT_TZ): finds what fell due since the
 * last sweep, records one delivery per order, notice and recipient (at most once per entitlement, notice and
 * recipient, by the store's claims), queues them, and moves the catch-up point to `date`. Safe to run any number of
 * times, at once or after a crash at any step: a repeat finds the claims and records nothing new.
 */
export async function sweepNotices(
  deps: SweepDeps,
  date: IsoDate,
  options: { dryRun?: boolean } = {},
): Promise<SweepResult> {
  const { notices, offsetsDays } = deps;
  const sweptThrough = await notices.sweptThrough();
  const window = sweepWindow(date, sweptThrough);
  const rows = await notices.dueBetween(window.from, window.to, offsetsDays);
  const due: DueNotice[] = rows.flatMap((row) => {
    const notice = noticeDue(row, offsetsDays, window, row.renewed);
    return notice
      ? [{ ssrn: row.ssrn, orderNumber: row.orderNumber, notice, schedule: noticeSchedule(row, offsetsDays) }]
      : [];
  });
  const orders = [...new Set(due.map((d) => d.orderNumber))];
  const [recipients, claims] = due.length
    ? await Promise.all([notices.recipients(orders), notices.claims(due.map((d) => d.ssrn))])
    : [[], []];
  const planned = planNotices(date, due, recipients, claims as NoticeClaim[], deps.fromAddress);
  if (options.dryRun) return { date, window, planned, recorded: 0, queued: 0 };

  let recorded = 0;
  const ours = new Set<string>();
  let queueing = Promise.resolve();
  for (let i = 0; i < planned.length; i += BATCH) {
    const batch = await notices.record(planned.slice(i, i + BATCH), deps.clock.now());
    recorded += batch.length;
    for (const d of batch) ours.add(d.id);
    await queueing;
    queueing = deps.enqueueNotices(batch.map((d) => d.id));
    // Awaited above or below; until then a failure must not count as unhandled.
    queueing.catch(() => undefined);
  }
  await queueing;
  // A sweep of this day that did not complete may have recorded deliveries and died before queueing them.
  const incomplete = !sweptThrough || sweptThrough < date;
  const left = (
    await notices.unqueued({ all: incomplete, staleBefore: new Date(deps.clock.now().getTime() - REQUEUE_AFTER_MS) })
  ).filter((id) => !ours.has(id));
  if (left.length) await deps.enqueueNotices(left);
  await notices.markSwept(date);
  return { date, window, planned, recorded, queued: recorded + left.length };
}
