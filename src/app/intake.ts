import { ConflictError } from '../errors.ts';
import { acceptEvent, type IntakeResult } from '../intake/accept-event.ts';
import { eventsTotal } from '../metrics.ts';
import { scheduleFulfillment } from '../../queues/fulfillment.queue.ts';
import type { AppContext } from './context.ts';

/** The one intake path, shared by `POST /v1/fulfillments` and `license-courier enqueue`. */
export async function intake(ctx: AppContext, input: unknown, actor: string): Promise<IntakeResult> {
  try {
    const result = await accept(ctx, input, actor);
    eventsTotal.inc({ outcome: result.replay ? 'replayed' : 'accepted' });
    return result;
  } catch (error) {
    eventsTotal.inc({ outcome: error instanceof ConflictError ? 'conflict' : 'rejected' });
    throw error;
  }
}

function accept(ctx: AppContext, input: unknown, actor: string): Promise<IntakeResult> {
  return acceptEvent(
    {
      intakeStore: ctx.intakeStore,
      entitlements: ctx.entitlements,
      audit: ctx.audit,
      catalog: ctx.catalog,
      clock: ctx.clock,
      timeZone: ctx.config.FULFILLMENT_TZ,
      mailFromAddress: ctx.config.mailFromAddress,
      scheduleFanOut: (id, notBefore) => scheduleFulfillment(ctx.queues.fulfillment, id, notBefore, ctx.clock.now()),
    },
    input,
    actor,
  );
}
