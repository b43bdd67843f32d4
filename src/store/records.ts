import type { Redis } from 'ioredis';
import type { FulfillmentEvent } from '../event/schema.ts';
import type { Entitlement, Fulfillment, IssuedKey, SalesOrder } from '../model.ts';
import type { StoreKeys } from './keys.ts';

export interface StoredFulfillment extends Fulfillment {
  deliveryIds: string[];
  fannedOutAt?: string;
}

export interface StoredEvent {
  event: FulfillmentEvent;
  acceptedAt: string;
  acceptedBy: string;
}

/** What a fulfillment's document is built from, besides the fulfillment itself. */
export interface DocumentRecords {
  /** Absent when the event's record is gone. */
  stored?: StoredEvent;
  entitlements: Entitlement[];
}

export interface ActivationRecord {
  device: string;
  licenseId: string;
  at: string;
  sender: string;
  messageId?: string;
}

/** A pipeline's replies, or its first error: a reply that failed must not read as a record that is absent. */
function replies(results: Array<[Error | null, unknown]> | null): unknown[] {
  return (results ?? []).map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** Entitlement records as MGET returns them; a key that is gone (null) is left out. */
const parseEntitlements = (raws: Array<string | null>): Entitlement[] =>
  raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Entitlement);

/** Reads of the records intake wrote. Writes happen in intake (atomically) and in the delivery use cases. */
export class RecordStore {
  constructor(readonly redis: Redis, readonly keys: StoreKeys) {}

  private async json<T>(key: string): Promise<T | undefined> {
    const raw = await this.redis.get(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  order(orderNumber: string): Promise<SalesOrder | undefined> {
    return this.json<SalesOrder>(this.keys.order(orderNumber));
  }

  entitlement(ssrn: string): Promise<Entitlement | undefined> {
    return this.json<Entitlement>(this.keys.entitlement(ssrn));
  }

  async entitlements(ssrns: string[]): Promise<Entitlement[]> {
    if (ssrns.length === 0) return [];
    return parseEntitlements(await this.redis.mget(ssrns.map((s) => this.keys.entitlement(s))));
  }

  async entitlementByCode(code: string): Promise<Entitlement | undefined> {
    const ssrn = await this.redis.get(this.keys.activationCode(code));
    return ssrn ? this.entitlement(ssrn) : undefined;
  }

  async orderEntitlements(orderNumber: string): Promise<Entitlement[]> {
    return this.entitlements(await this.redis.lrange(this.keys.orderEntitlements(orderNumber), 0, -1));
  }

  fulfillment(id: string): Promise<StoredFulfillment | undefined> {
    return this.json<StoredFulfillment>(this.keys.fulfillment(id));
  }

  async orderFulfillments(orderNumber: string): Promise<StoredFulfillment[]> {
    const ids = await this.redis.lrange(this.keys.orderFulfillments(orderNumber), 0, -1);
    const all = await Promise.all(ids.map((id) => this.fulfillment(id)));
    return all.filter((f): f is StoredFulfillment => f !== undefined);
  }

  async issuedKeys(ssrn: string): Promise<IssuedKey[]> {
    const all = await this.redis.hvals(this.keys.issuedKeys(ssrn));
    return all.map((raw) => JSON.parse(raw) as IssuedKey).sort((a, b) => (a.device < b.device ? -1 : 1));
  }

  async activations(ssrn: string): Promise<ActivationRecord[]> {
    return (await this.redis.lrange(this.keys.activations(ssrn), 0, -1)).map((raw) => JSON.parse(raw) as ActivationRecord);
  }

  /**
   * A fulfillment, and whether its certificate was rendered and stored (without reading the bytes): what a fan-out
   * starts from, in one round trip.
   */
  async toShip(id: string): Promise<{ fulfillment: StoredFulfillment; hasCertificate: boolean } | undefined> {
    const [raw, certificates] = replies(await this.redis.pipeline().get(this.keys.fulfillment(id)).exists(this.keys.certificate(id)).exec()) as [string | null, number];
    return raw === null ? undefined : { fulfillment: JSON.parse(raw) as StoredFulfillment, hasCertificate: certificates === 1 };
  }

  /** The event a fulfillment came from and the entitlements of `ssrns`, in one round trip. */
  async documentRecords(fulfillment: StoredFulfillment, ssrns: string[]): Promise<DocumentRecords> {
    const pipeline = this.redis.pipeline().hget(this.keys.event(fulfillment.eventId), 'record');
    if (ssrns.length) pipeline.mget(ssrns.map((s) => this.keys.entitlement(s)));
    const [event, entitlements = []] = replies(await pipeline.exec()) as [string | null, Array<string | null>?];
    return {
      ...(event && { stored: JSON.parse(event) as StoredEvent }),
      entitlements: parseEntitlements(entitlements),
    };
  }

  async certificate(fulfillmentId: string): Promise<Buffer | undefined> {
    return (await this.redis.getBuffer(this.keys.certificate(fulfillmentId))) ?? undefined;
  }

  /** Stores the first rendering only: every later reader gets the bytes that were attached first. */
  async saveCertificate(fulfillmentId: string, pdf: Buffer): Promise<Buffer> {
    const created = await this.redis.set(this.keys.certificate(fulfillmentId), pdf, 'NX');
    return created ? pdf : ((await this.certificate(fulfillmentId)) ?? pdf);
  }
}
