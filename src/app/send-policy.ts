import type { AppContext } from './context.ts';

/** The send queue's retry, rate and concurrency, from the settings. */
export function sendPolicy(ctx: AppContext) {
  const c = ctx.config;
  return {
    attempts: c.SEND_ATTEMPTS,
    backoffMs: c.SEND_BACKOFF_MS,
    ratePerSecond: c.SEND_RATE_PER_SECOND,
    concurrency: c.SEND_CONCURRENCY,
    lockDurationMs: c.SMTP_TIMEOUT_MS + 10_000,
  };
}
