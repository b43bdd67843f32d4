import type { Redis } from 'ioredis';
import type { StoreKeys } from './keys.ts';

/** Who did what, when, to which order, with what outcome. Appended to Redis Streams, never rewritten. */
export interface AuditEntry {
  actor: string;
  action: string;
  order?: string;
  outcome: string;
  detail?: Record<string, unknown>;
}

export interface StoredAuditEntry extends AuditEntry {
  id: string;
  at: string;
}

export class AuditLog {
  constructor(private readonly redis: Redis, private readonly keys: StoreKeys) {}

  private orderStream(order: string) {
    return `${this.keys.audit}:order:${order}`;
  }

  async record(entry: AuditEntry): Promise<void> {
    const fields = ['actor', entry.actor, 'action', entry.action, 'outcome', entry.outcome, 'order', entry.order ?? '',
      'detail', JSON.stringify(entry.detail ?? {})];
    const multi = this.redis.multi().xadd(this.keys.audit, '*', ...fields);
    if (entry.order) multi.xadd(this.orderStream(entry.order), '*', ...fields);
    await multi.exec();
  }

  /** Newest first, `limit` entries before the cursor (an entry id); the last entry's id is the next cursor. */
  async read(options: { order?: string; limit: number; before?: string }): Promise<StoredAuditEntry[]> {
    const stream = options.order ? this.orderStream(options.order) : this.keys.audit;
    const end = options.before ? `(${options.before}` : '+';
    const rows = await this.redis.xrevrange(stream, end, '-', 'COUNT', options.limit);
    return rows.map(([id, flat]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
      return {
        id,
        at: new Date(Number(id.split('-')[0])).toISOString(),
        actor: f.actor!,
        action: f.action!,
        outcome: f.outcome!,
        ...(f.order && { order: f.order }),
        detail: JSON.parse(f.detail ?? '{}') as Record<string, unknown>,
      };
    });
  }
}
