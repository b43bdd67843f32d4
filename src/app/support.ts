import type { Caller } from '../api/auth.ts';
import { resend } from '../support/resend.ts';
import { enqueueSends } from '../../queues/send.queue.ts';
import { RateWindow } from '../store/redis-rate-window.ts';
import type { AppContext } from './context.ts';
import { sendPolicy } from './send-policy.ts';

/** Support's resend, shared by the API and the CLI; refusals are audited too. */
export async function resendFor(
  ctx: AppContext,
  orderNumber: string,
  body: unknown,
  caller: Caller,
  idempotencyKey?: string,
) {
  try {
    return await resend(
      {
        ...ctx,
        resendRate: new RateWindow(ctx.redis, ctx.keys.resendWindow, 3600),
        mailFromAddress: ctx.config.mailFromAddress,
        allowedDomains: ctx.config.RESEND_ALLOWED_DOMAINS,
        sharedDomains: ctx.config.RESEND_SHARED_DOMAINS,
        perOrderPerHour: ctx.config.RESENDS_PER_ORDER_PER_HOUR,
        enqueueSends: (ids) => enqueueSends(ctx.queues.send, ids, sendPolicy(ctx)),
      },
      orderNumber,
      body,
      caller,
      idempotencyKey,
    );
  } catch (error) {
    await ctx.audit.record({
      actor: caller.name,
      action: 'resend',
      order: orderNumber,
      outcome: 'rejected',
      detail: { reason: (error as Error).message },
    });
    throw error;
  }
}
