import type { Redis } from 'ioredis';

/**
 * Where a handled message of a watched mailbox belongs, kept until the watcher has moved it there (a month at most):
 * short-lived state of the bounce mailbox.
 */
export class FiledMessages {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds = 30 * 86_400,
  ) {}

  private key(uidValidity: string, uid: number) {
    return `${this.prefix}:msg:${uidValidity}:${uid}`;
  }

  async set(uidValidity: string, uid: number, folder: string): Promise<void> {
    await this.redis.set(this.key(uidValidity, uid), folder, 'EX', this.ttlSeconds);
  }

  async get(uidValidity: string, uid: number): Promise<string | undefined> {
    return (await this.redis.get(this.key(uidValidity, uid))) ?? undefined;
  }
}
