import { Worker, type Job, type Queue } from 'bullmq';
import { JOB_RETENTION, type QueueConnection } from './connection.ts';

/** One inbound activation request, as handed on by the mailbox watcher. The raw message waits in the store. */
export const ACTIVATION_QUEUE = 'activation';

export interface ActivationJob {
  uidValidity: string;
  uid: number;
  messageId?: string;
}

/** Keyed by mailbox position, so a message handed on twice (watcher restart) is processed once. */
export function activationJobId(uidValidity: string, uid: number): string {
  return `m-${uidValidity}-${uid}`;
}

export async function enqueueActivation(queue: Queue<ActivationJob>, job: ActivationJob): Promise<void> {
  await queue.add('activation', job, {
    jobId: activationJobId(job.uidValidity, job.uid),
    attempts: 8,
    backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
    ...JOB_RETENTION,
  });
}

export function activationWorker(
  c: QueueConnection,
  run: (job: ActivationJob) => Promise<string>,
): Worker<ActivationJob> {
  return new Worker<ActivationJob>(ACTIVATION_QUEUE, (job: Job<ActivationJob>) => run(job.data), {
    connection: c.redis,
    prefix: c.prefix,
    concurrency: 4,
  });
}
