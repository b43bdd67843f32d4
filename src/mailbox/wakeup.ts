/**
 * A sleep that ends early when woken; a wake-up that comes while nobody sleeps ends the next sleep at once, so it is
 * never lost.
 */
export class Wakeup {
  private requested = false;
  private end: (() => void) | undefined;

  wake(): void {
    this.requested = true;
    this.end?.();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.end = undefined;
        this.requested = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (this.requested) done();
      else this.end = done;
    });
  }
}

/** Rejects when the promise has not settled within ms: a frozen peer neither answers nor closes. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
