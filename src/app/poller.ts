import type { Logger } from '../logger.ts';

export interface Poller {
  /** Stops polling; resolves once the round in progress has finished. */
  stop(): Promise<void>;
}

/** Runs `round` now and then every `intervalMs` after the previous round ends; a failed round is logged and retried. */
export function startPoller(name: string, round: () => Promise<unknown>, intervalMs: number, logger: Logger): Poller {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const run = (): Promise<void> =>
    round()
      .then(
        () => undefined,
        (error: Error) => logger.warn({ poller: name, err: error.message }, `${name} failed; retrying`),
      )
      .finally(() => {
        if (!stopped)
          timer = setTimeout(() => {
            running = run();
          }, intervalMs);
      });
  let running = run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
