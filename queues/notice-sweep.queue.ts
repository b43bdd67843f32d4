import { Worker, type Job, type Queue } from 'bullmq';
import type { QueueConnection } from './connection.ts';

/** The subscription timer's sweep: finds the notices due and queues one send job per message (on the send queue). */
export const NOTICE_SWEEP_QUEUE = 'notice-sweep';

export interface NoticeSweepJob {
  /** The calendar date to sweep; absent: today in FULFILLMENT_TZ when the job runs. */
  date?: string;
}

export const DAILY_SWEEP_SCHEDULER = 'daily-notice-sweep';

// A sweep is idempotent, so retrying one that failed half-way (database away) is always safe.
const sweepRetry = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 30_000, jitter: 0.5 },
  removeOnComplete: { age: 30 * 86_400, count: 100 },
  removeOnFail: { age: 90 * 86_400 },
} as const;

/**
 * Every day at 00:05 in the fulfillment time zone. A job scheduler makes one job per day however many workers call
 * this (each start-up does, to keep the pattern and zone current).
 */
export async function scheduleDailySweep(queue: Queue<NoticeSweepJob>, timeZone: string): Promise<void> {
  await queue.upsertJobScheduler(
    DAILY_SWEEP_SCHEDULER,
    { pattern: '5 0 * * *', tz: timeZone },
    { name: 'sweep', data: {}, opts: sweepRetry },
  );
}

/**
 * A sweep now, once per `key` (workers starting together ask for one; a worker that was down at 00:05 catches up when
 * it starts instead of a day later).
 */
export async function requestSweep(queue: Queue<NoticeSweepJob>, key: string, job: NoticeSweepJob = {}): Promise<void> {
  await queue.add('sweep', job, { ...sweepRetry, jobId: `sweep-${key}`, removeOnComplete: true });
}

export function noticeSweepWorker(
  c: QueueConnection,
  run: (job: NoticeSweepJob) => Promise<unknown>,
  options: { lockDurationMs?: number } = {},
): Worker<NoticeSweepJob> {
  const lockDuration = options.lockDurationMs ?? 30_000;
  return new Worker<NoticeSweepJob>(NOTICE_SWEEP_QUEUE, (job: Job<NoticeSweepJob>) => run(job.data), {
    connection: c.redis,
    prefix: c.prefix,
    concurrency: 1,
    lockDuration,
    // A worker killed mid-sweep leaves its job stalled: another worker takes it over and sweeps again (idempotent).
    stalledInterval: Math.min(30_000, lockDuration),
    maxStalledCount: 5,
  });
}
