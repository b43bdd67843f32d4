/**
 * When a failed delivery is tried again, and when it stops. Retries go on until the delivery is older than the retry
 * window, whatever the jitter made of the delays, so "at least 24 hours" holds by construction.
 */
export interface RetrySchedule {
  /** Delay after the first failure; doubles with each further one. */
  baseMs: number;
  /** The longest wait between two attempts. */
  maxMs: number;
  /** How long after its creation a delivery is still retried. */
  windowMs: number;
}

/** The wait after `failures` failed attempts (1-based): exponential, capped, with full jitter over its upper half. */
export function retryDelayMs(schedule: RetrySchedule, failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 40));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A failure is final once the delivery has been retried for the whole window. */
export function retriesExhausted(schedule: RetrySchedule, createdAt: Date, now: Date): boolean {
  return now.getTime() - createdAt.getTime() >= schedule.windowMs;
}
