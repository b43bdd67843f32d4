import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { SendOutcome } from '../src/delivery/send-delivery.ts';
import { DeliveryError } from '../src/errors.ts';
import type { SendNoticeOutcome } from '../src/notices/send-notice.ts';
import { JOB_RETENTION, type QueueConnection } from './connection.ts';

/**
 * One message to one recipient. The job carries only the delivery id; the message is built from the store. Fulfillment
 * Emails (job name `send`) and subscription notices (`notice`) share the queue and so its rate limit, which is the mail
 * server's; notices wait behind Fulfillment Emails (BullMQ takes unprioritised jobs first).
 */
export const SEND_QUEUE = 'send';

export type SendKind = 'send' | 'notice';

export interface SendJob {
  deliveryId: string;
}

export interface SendPolicy {
  attempts: number;
  /** First retry delay; doubles each attempt, with jitter (3 min over 10 attempts spans about a day). */
  backoffMs: number;
  ratePerSecond: number;
  concurrency: number;
  /** Longer than the SMTP timeout, so a slow send is never taken for a stalled job and handed to another worker. */
  lockDurationMs: number;
}

export async function enqueueSends(
  queue: Queue<SendJob>,
  deliveryIds: string[],
  policy: Pick<SendPolicy, 'attempts' | 'backoffMs'>,
  kind: SendKind = 'send',
): Promise<void> {
  if (deliveryIds.length === 0) return;
  await queue.addBulk(
    deliveryIds.map((deliveryId) => ({
      name: kind,
      data: { deliveryId },
      opts: {
        jobId: deliveryId,
        ...(kind === 'notice' && { priority: 10 }),
        attempts: policy.attempts,
        backoff: { type: 'exponential', delay: policy.backoffMs, jitter: 0.5 },
        ...JOB_RETENTION,
      },
    })),
  );
}

export function sendWorker(
  c: QueueConnection,
  run: (
    deliveryId: string,
    attempt: number,
    maxAttempts: number,
    kind: SendKind,
  ) => Promise<SendOutcome | SendNoticeOutcome>,
  policy: SendPolicy,
): Worker<SendJob> {
  return new Worker<SendJob>(
    SEND_QUEUE,
    async (job: Job<SendJob>) => {
      try {
        return await run(
          job.data.deliveryId,
          job.attemptsMade + 1,
          job.opts.attempts ?? 1,
          job.name === 'notice' ? 'notice' : 'send',
        );
      } catch (error) {
        if (error instanceof DeliveryError && error.permanent) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
    {
      connection: c.redis,
      prefix: c.prefix,
      concurrency: policy.concurrency,
      limiter: { max: policy.ratePerSecond, duration: 1000 },
      lockDuration: policy.lockDurationMs,
      stalledInterval: Math.min(30_000, policy.lockDurationMs),
      // A job whose worker died is picked up again; sends are idempotent, so several crashes in a row are harmless.
      maxStalledCount: 10,
    },
  );
}
