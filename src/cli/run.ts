import {
  ConfigError,
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
} from '../errors.ts';

/** Exit codes of the contract: 0 success, 1 runtime failure, 2 bad usage or bad input. */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

/** Prints an error the way a person at a terminal needs it: the message, then each field problem on its own line. */
export function reportError(
  error: unknown,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): number {
  if (error instanceof ConfigError) {
    write(error.message);
    return EXIT.badInput;
  }
  if (error instanceof InvalidInputError || error instanceof ConflictError) {
    write(`error: ${error.message}`);
    for (const issue of error.issues) write(`  ${issue.path}: ${issue.message}`);
    return EXIT.badInput;
  }
  if (error instanceof NotFoundError || error instanceof ForbiddenError || error instanceof RateLimitedError) {
    write(`error: ${error.message}`);
    return EXIT.badInput;
  }
  write(`error: ${(error as Error)?.message ?? String(error)}`);
  return EXIT.failure;
}

/** Wraps a command action: sets process.exitCode from the outcome instead of letting an exception print a stack. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = (await fn(...args)) ?? EXIT.ok;
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}
