import type { Redis } from 'ioredis';
import { Queue, type QueueOptions } from 'bullmq';

/** How every queue and worker reaches Redis: the shared connection and the configured key prefix. */
export interface QueueConnection {
  redis: Redis;
  prefix: string;
}

/**
 * Finished jobs are history, and history is in PostgreSQL (deliveries, attempts, fan-out times): Redis keeps only the
 * last few for the dashboard, so its memory stays the size of the queues, not of everything ever sent.
 */
export const JOB_RETENTION = {
  removeOnComplete: { age: 3_600, count: 20 },
  removeOnFail: { age: 7 * 86_400, count: 1_000 },
} as const;

/**
 * BullMQ appends every job's progress to an event stream per queue for QueueEvents listeners; nothing here listens
 * (outcomes are read from PostgreSQL), so the streams keep nothing beyond what Redis's approximate trim leaves.
 */
const EVENT_STREAM_LENGTH = 0;

export function queueOptions(c: QueueConnection): QueueOptions {
  return { connection: c.redis, prefix: c.prefix, streams: { events: { maxLen: EVENT_STREAM_LENGTH } } };
}

export function openQueue<T>(c: QueueConnection, name: string): Queue<T> {
  return new Queue<T>(name, queueOptions(c));
}
