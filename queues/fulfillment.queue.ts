import { DelayedError, Worker, type Job, type Queue } from 'bullmq';
import type { FanOutOutcome } from '../src/delivery/fan-out.ts';
import { JOB_RETENTION, type QueueConnection } from './connection.ts';

/** Fan-out of one fulfillment (the lines of an order that ship on one date), delayed until that date begins. */
export const FULFILLMENT_QUEUE = 'fulfillment';

export interface FulfillmentJob {
  fulfillmentId: string;
  notBefore: string;
}

export const fulfillmentRetry = { attempts: 20, backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 } } as const;

/** Idempotent: the job id is the fulfillment id, so scheduling twice keeps one job (while it is queued). */
export async function scheduleFulfillment(
  queue: Queue<FulfillmentJob>,
  fulfillmentId: string,
  notBefore: Date,
  now: Date,
): Promise<void> {
  await scheduleFulfillments(queue, [{ id: fulfillmentId, notBefore }], now);
}

/** Several fan-outs in one round trip, each as `scheduleFulfillment` queues it. */
export async function scheduleFulfillments(
  queue: Queue<FulfillmentJob>,
  fulfillments: Array<{ id: string; notBefore: Date }>,
  now: Date,
): Promise<void> {
  await queue.addBulk(
    fulfillments.map(({ id, notBefore }) => ({
      name: 'fan-out',
      data: { fulfillmentId: id, notBefore: notBefore.toISOString() },
      opts: {
        jobId: id,
        delay: Math.max(0, notBefore.getTime() - now.getTime()),
        ...fulfillmentRetry,
        ...JOB_RETENTION,
      },
    })),
  );
}

export function fulfillmentWorker(
  c: QueueConnection,
  run: (fulfillmentId: string) => Promise<FanOutOutcome>,
  options: { now: () => Date },
): Worker<FulfillmentJob> {
  return new Worker<FulfillmentJob>(
    FULFILLMENT_QUEUE,
    async (job: Job<FulfillmentJob>, token?: string) => {
      const outcome = await run(job.data.fulfillmentId);
      if (outcome === 'not-due') {
        // Not yet this fulfillment's date here: wait again rather than ship early. The service's clock says when the
        // date begins, but BullMQ times delayed jobs by Date.now(): hand it the wait, not the service clock's instant,
        // or a clock that differs from Date.now() (a test's, a machine set behind) makes the job due again at once.
        const now = options.now().getTime();
        const wait = Math.max(new Date(job.data.notBefore).getTime() - now, 60_000);
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
      return outcome;
    },
    { connection: c.redis, prefix: c.prefix, concurrency: 4 },
  );
}
