import type { Logger } from '../logger.ts';
import type { Clock } from '../clock.ts';
import type { WebhookDeliveries } from '../store/webhook-deliveries.ts';
import type { WebhookOutbox } from '../store/webhook-outbox.ts';

export interface RelayDeps {
  outbox: Pick<WebhookOutbox, 'relay'>;
  deliveries: Pick<WebhookDeliveries, 'openIds'>;
  /** Queues one send per delivery id; queueing an id already queued is a no-op (the job id is the delivery id). */
  enqueue(deliveryIds: string[]): Promise<void>;
  clock: Clock;
  logger: Logger;
}

const BATCH = 500;

/**
 * Relays every event waiting in the outbox: deliveries are created, then queued. Returns the number of deliveries
 * queued.
 */
export async function relayOutbox(deps: RelayDeps): Promise<number> {
  let queued = 0;
  for (;;) {
    const { events, deliveryIds } = await deps.outbox.relay(BATCH, deps.clock.now());
    // A crash here leaves deliveries without a job: requeueOpen finds them (at start, and once they are a minute old).
    await deps.enqueue(deliveryIds);
    queued += deliveryIds.length;
    if (events < BATCH) return queued;
  }
}

/**
 * Queues again the deliveries that may have lost their job: with `neverAttemptedBefore`, those created before it and
 * never attempted; without, every open one (at start-up, after Redis lost its data). Returns how many were offered.
 */
export async function requeueOpen(deps: RelayDeps, neverAttemptedBefore?: Date): Promise<number> {
  let afterId: string | undefined;
  let offered = 0;
  for (;;) {
    const ids = await deps.deliveries.openIds({
      ...(neverAttemptedBefore && { neverAttemptedBefore }),
      ...(afterId && { afterId }),
      limit: BATCH,
    });
    await deps.enqueue(ids);
    offered += ids.length;
    if (ids.length < BATCH) return offered;
    afterId = ids.at(-1);
  }
}
