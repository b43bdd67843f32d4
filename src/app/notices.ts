import { todayIn } from '../entitlement/dates.ts';
import type { IsoDate } from '../model.ts';
import { createNoticeRenderer, type NoticeRenderer } from '../notices/notice-email.ts';
import { addressOfToken, optOutByToken } from '../notices/opt-out.ts';
import { orderNotices, type OrderNotices } from '../notices/order-notices.ts';
import { sendNotice, type SendNoticeOutcome } from '../notices/send-notice.ts';
import { sweepNotices, type SweepResult } from '../notices/sweep.ts';
import type { UnsubscribeService } from '../api/unsubscribe.ts';
import { enqueueSends } from '../../queues/send.queue.ts';
import type { AppContext } from './context.ts';
import { sendPolicy } from './send-policy.ts';

// The subscription timer's use cases, given what they need from a process's context.

/** Today in FULFILLMENT_TZ, by the service's clock: the day a sweep covers unless told otherwise. */
export function noticeToday(ctx: AppContext): IsoDate {
  return todayIn(ctx.config.FULFILLMENT_TZ, ctx.clock.now());
}

/**
 * Sweeps `date` (default today): records what is due and queues its send jobs; with dryRun, only says what would
 * go.
 */
export function sweepNow(
  ctx: AppContext,
  date: IsoDate | undefined,
  options: { dryRun: boolean },
): Promise<SweepResult> {
  return sweepNotices(
    {
      notices: ctx.notices,
      clock: ctx.clock,
      offsetsDays: ctx.config.REMINDER_OFFSETS_DAYS,
      fromAddress: ctx.config.reminderFromAddress,
      enqueueNotices: (ids) => enqueueSends(ctx.queues.send, ids, sendPolicy(ctx), 'notice'),
    },
    date ?? noticeToday(ctx),
    options,
  );
}

/** The send worker's handler for notice jobs; the renderer compiles once per process, on first use. */
export function noticeSender(
  ctx: AppContext,
): (id: string, attempt: number, maxAttempts: number) => Promise<SendNoticeOutcome> {
  let renderer: Promise<NoticeRenderer> | undefined;
  return async (id, attempt, maxAttempts) =>
    sendNotice(
      {
        notices: ctx.notices,
        renderer: await (renderer ??= createNoticeRenderer()),
        transport: ctx.transport,
        clock: ctx.clock,
        brand: ctx.config.brand,
        from: ctx.config.reminderFrom,
        fromAddress: ctx.config.reminderFromAddress,
        publicUrl: ctx.config.PUBLIC_URL,
        logger: ctx.logger,
      },
      id,
      attempt,
      maxAttempts,
    );
}

export function unsubscribeService(ctx: AppContext): UnsubscribeService {
  const deps = { notices: ctx.notices, clock: ctx.clock };
  return { addressOf: (token) => addressOfToken(deps, token), optOut: (token) => optOutByToken(deps, token) };
}

export function noticesOfOrder(ctx: AppContext, orderNumber: string): Promise<OrderNotices> {
  return orderNotices(
    { notices: ctx.notices, offsetsDays: ctx.config.REMINDER_OFFSETS_DAYS },
    orderNumber,
    noticeToday(ctx),
  );
}
