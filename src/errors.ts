// The few error types the service branches on. Callers test `instanceof`, never message text;
// each maps once to an HTTP status (api/errors.ts), an exit code (cli) and a retry decision (queues).

export interface FieldIssue {
  path: string;
  message: string;
}

/** Bad input from outside: an event, a request body, a command-line argument. HTTP 400, exit 2. */
export class InvalidInputError extends Error {
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/**
 * The input is valid but clashes with what is stored (reused eventId, activation code owned by another order).
 * HTTP 409.
 */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The caller is known but may not do this. HTTP 403. */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export class RateLimitedError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

/** Invalid settings: one line per problem, each naming the variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * A message could not be delivered. `permanent`: no retry (5xx, recipient rejected); else worth retrying with backoff.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly failureClass: string,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** The system of record cannot be reached now (PostgreSQL down or restarting). HTTP 503; queued work is retried. */
export class StoreUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}
