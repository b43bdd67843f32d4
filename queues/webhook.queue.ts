import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import { DeliveryError } from '../src/errors.ts';
import type { DeliverOutcome } from '../src/webhooks/deliver.ts';
import { retryDelayMs, type RetrySchedule } from '../src/webhooks/retry-schedule.ts';
import { JOB_RETENTION, type QueueConnection } from './connection.ts';

/**
 * One webhook event to one endpoint. The job carries the delivery id; endpoint, secret and body are read from the
 * store.
 */
export const WEBHOOK_QUEUE = 'webhook';

export interface WebhookJob {
  deliveryId: string;
  /** An admin's "send again": one attempt, outside the delivery's own retries. */
  manual?: boolean;
}

export interface WebhookQueuePolicy {
  schedule: RetrySchedule;
  concurrency: number;
  /** Longer than the request timeout, so a slow endpoint's job is never taken for stalled. */
  lockDurationMs: number;
}

// The delivery decides when it is given up (retriesExhausted throws a permanent error): this only bounds a runaway job.
const MAX_ATTEMPTS = 10_000;
const BUSY_WAIT_MS = 200;

/**
 * Idempotent: the job id is the delivery id, so queueing a delivery that has a job (waiting, delayed, active) adds
 * nothing.
 */
export async function enqueueWebhookDeliveries(queue: Queue<WebhookJob>, deliveryIds: string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await queue.addBulk(
    deliveryIds.map((deliveryId) => ({
      name: 'deliver',
      data: { deliveryId },
      opts: { jobId: deliveryId, attempts: MAX_ATTEMPTS, backoff: { type: 'webhook' }, ...JOB_RETENTION },
    })),
  );
}

export async function enqueueWebhookRetry(queue: Queue<WebhookJob>, deliveryId: string, retry: number): Promise<void> {
  await queue.add(
    'retry',
    { deliveryId, manual: true },
    { jobId: `${deliveryId}-retry-${retry}`, attempts: 1, ...JOB_RETENTION },
  );
}

export function webhookWorker(
  c: QueueConnection,
  run: (job: WebhookJob) => Promise<DeliverOutcome>,
  policy: WebhookQueuePolicy,
): Worker<WebhookJob> {
  return new Worker<WebhookJob>(
    WEBHOOK_QUEUE,
    async (job: Job<WebhookJob>, token?: string) => {
      let outcome: DeliverOutcome;
      try {
        outcome = await run(job.data);
      } catch (error) {
        if (error instanceof DeliveryError && error.permanent) throw new UnrecoverableError(error.message);
        throw error;
      }
      if (outcome === 'busy') {
        // The endpoint has its share of sends in flight: wait a moment without spending an attempt.
        await job.moveToDelayed(Date.now() + BUSY_WAIT_MS + Math.floor(Math.random() * BUSY_WAIT_MS), token);
        throw new DelayedError();
      }
      return outcome;
    },
    {
      connection: c.redis,
      prefix: c.prefix,
      concurrency: policy.concurrency,
      lockDuration: policy.lockDurationMs,
      stalledInterval: Math.min(30_000, policy.lockDurationMs),
      // A worker killed mid-send leaves a stalled job that another worker takes over; the receiver de-duplicates by
      // webhook-id.
      maxStalledCount: 10,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(policy.schedule, attemptsMade) },
    },
  );
}
