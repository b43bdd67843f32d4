import type { Redis } from 'ioredis';
import { Queue, type QueueOptions } from 'bullmq';

/** How every queue and worker reaches Redis: the shared connection and the configured key prefix. */
export interface QueueConnection {
  redis: Redis;
  prefix: string;
}

export function queueOptions(c: QueueConnection): QueueOptions {
  return { connection: c.redis, prefix: c.prefix };
}

export function openQueue<T>(c: QueueConnection, name: string): Queue<T> {
  return new Queue<T>(name, queueOptions(c));
}
