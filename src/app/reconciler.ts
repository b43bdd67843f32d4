import { startOfDayIn } from '../entitlement/dates.ts';
import { enqueueActivation } from '../../queues/activation.queue.ts';
import { scheduleFulfillments } from '../../queues/fulfillment.queue.ts';
import { enqueueSends } from '../../queues/send.queue.ts';
import type { AppContext } from './context.ts';
import { sendPolicy } from './send-policy.ts';

/** Rows per kind per run; a backlog larger than this is worked off over several runs. */
const BATCH = 5_000;
/**
 * Fulfillments checked again and queued together. A fan-out that finishes between the check and the queueing has its
 * job removed, so queueing it again makes a second (harmless, but wasted) job: the smaller the chunk, the shorter that
 * window.
 */
const CHUNK = 100;

export interface Reconciled {
  fulfillments: number;
  sends: number;
  activations: number;
}

/**
 * Queues again whatever PostgreSQL says is unfinished: fulfillments not fanned out, deliveries fanned out but not
 * accepted by SMTP, activation messages not filed. Every job id derives from its row, so what is still queued stays
 * one job; what a crash between commit and queueing, or a Redis that lost its data, left out is queued anew.
 */
export async function reconcile(ctx: AppContext): Promise<Reconciled> {
  const now = ctx.clock.now();
  const fulfillments = await ctx.fulfillments.notFannedOut(BATCH);
  const notBefore = (shipDate: string) => startOfDayIn(shipDate, ctx.config.FULFILLMENT_TZ);
  for (let i = 0; i < fulfillments.length; i += CHUNK) {
    const ids = fulfillments.slice(i, i + CHUNK).map((f) => f.id);
    const still = await ctx.fulfillments.notFannedOut(CHUNK, ids);
    await scheduleFulfillments(
      ctx.queues.fulfillment,
      still.map((f) => ({ id: f.id, notBefore: notBefore(f.shipDate) })),
      now,
    );
  }
  const sends = await ctx.deliveries.unsent(BATCH);
  await enqueueSends(ctx.queues.send, sends, sendPolicy(ctx));
  const messages = ctx.config.IMAP_URL ? await ctx.activations.unfiled(BATCH) : [];
  for (const m of messages) await enqueueActivation(ctx.queues.activation, m);
  return { fulfillments: fulfillments.length, sends: sends.length, activations: messages.length };
}

/**
 * Reconciles now and then every `intervalMs`, one run at a time; a failed run (database away) is logged and retried
 * next time.
 */
export function startReconciler(ctx: AppContext, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= reconcile(ctx)
      .then((r) => {
        if (r.fulfillments + r.sends + r.activations)
          ctx.logger.info(r, 'reconciled: queued again what PostgreSQL holds as unfinished');
      })
      .catch((error: Error) => ctx.logger.warn({ err: error.message }, 'reconciliation failed; retried next interval'))
      .finally(() => {
        running = undefined;
      });
  };
  run();
  const timer = setInterval(run, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
