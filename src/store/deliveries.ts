import type { Redis } from 'ioredis';
import type { DeliveryStatus } from '../model.ts';
import type { StoreKeys } from './keys.ts';

/** One message to one recipient: the unit that is queued, sent, retried and tracked. */
export interface DeliveryRecord {
  id: string;
  orderNumber: string;
  fulfillmentId: string;
  recipient: string;
  recipientName?: string;
  kind: 'fulfillment' | 'resend';
  /** For resends: the lines (SSRNs) the message lists; absent means every line of the fulfillment. */
  ssrns?: string[];
  resendId?: string;
  reason?: string;
  requestedBy?: string;
  status: DeliveryStatus;
  attempts: number;
  lastError?: string;
  messageId: string;
  createdAt: string;
  queuedAt?: string;
  /** Set the moment the SMTP server accepted the message: the durable marker that prevents a second send. */
  acceptedAt?: string;
  smtpResponse?: string;
  failedAt?: string;
  bouncedAt?: string;
}

const NUMERIC = new Set(['attempts']);
const JSON_FIELDS = new Set(['ssrns']);

export function deliveryToHash(d: Partial<DeliveryRecord>): string[] {
  return Object.entries(d).flatMap(([k, v]) =>
    v === undefined ? [] : [k, JSON_FIELDS.has(k) ? JSON.stringify(v) : String(v)],
  );
}

function fromHash(h: Record<string, string>): DeliveryRecord | undefined {
  if (!h.id) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) out[k] = NUMERIC.has(k) ? Number(v) : JSON_FIELDS.has(k) ? JSON.parse(v) : v;
  return out as unknown as DeliveryRecord;
}

export class DeliveryStore {
  constructor(private readonly redis: Redis, private readonly keys: StoreKeys) {}

  async get(id: string): Promise<DeliveryRecord | undefined> {
    return fromHash(await this.redis.hgetall(this.keys.delivery(id)));
  }

  async getMany(ids: string[]): Promise<DeliveryRecord[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.delivery(id));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, h]) => fromHash(h as Record<string, string>)).filter((d): d is DeliveryRecord => d !== undefined);
  }

  async forOrder(orderNumber: string): Promise<DeliveryRecord[]> {
    return this.getMany(await this.redis.lrange(this.keys.orderDeliveries(orderNumber), 0, -1));
  }

  /** Updates fields of an existing record only; a record deleted meanwhile is not resurrected as a fragment. */
  async update(id: string, fields: Partial<DeliveryRecord>): Promise<void> {
    const args = deliveryToHash(fields);
    if (args.length === 0) return;
    await this.redis.eval(
      "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], unpack(ARGV)) end return 1",
      1, this.keys.delivery(id), ...args,
    );
  }

  /**
   * Records SMTP acceptance. Written before anything else can fail after the server said 250, so that a retried
   * job finds it and finishes without sending again.
   */
  async markAccepted(id: string, at: Date, messageId: string, smtpResponse: string, attempts: number): Promise<void> {
    await this.update(id, { status: 'sent', acceptedAt: at.toISOString(), messageId, smtpResponse: smtpResponse.slice(0, 500), attempts });
  }
}
