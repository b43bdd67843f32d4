import type { KeyObject } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { openQueue } from '../../queues/connection.ts';
import { FULFILLMENT_QUEUE, scheduleFulfillment, type FulfillmentJob } from '../../queues/fulfillment.queue.ts';
import { enqueueSends, SEND_QUEUE, type SendJob } from '../../queues/send.queue.ts';
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { renderCertificate } from '../../src/certificate/render.ts';
import type { Clock } from '../../src/clock.ts';
import { fanOut, type FanOutDeps } from '../../src/delivery/fan-out.ts';
import { issueFulfillmentKeys } from '../../src/delivery/issue-fulfillment-keys.ts';
import { acceptEvent, type IntakeDeps, type IntakeResponse } from '../../src/intake/accept-event.ts';
import { clearPrefix } from '../../src/store/clear-prefix.ts';
import { connectRedis } from '../../src/store/connection.ts';
import { storeKeys, type StoreKeys } from '../../src/store/keys.ts';
import { createStores, type Stores } from '../../src/store/stores.ts';
import { TEST_REDIS_URL, uniquePrefix } from './app.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { subscribe } from './webhook-subscriber.ts';
import { TEST_BRAND } from './documents.ts';

// What the use-case tests (intake, fan-out, send, resend) call their use case with: the real repositories over a
// database of the test file's own, and real BullMQ queues on Redis under a key prefix of its own.

export const MAIL_FROM_ADDRESS = 'licensing@courier.example';
/** The send policy's retry part, as the send queue takes it. */
export const SEND_RETRY = { attempts: 3, backoffMs: 50 };

export interface UseCaseWorld {
  database: TestDatabase;
  stores: Stores;
  redis: Redis;
  keys: StoreKeys;
  queues: { fulfillment: Queue<FulfillmentJob>; send: Queue<SendJob> };
  close(): Promise<void>;
}

export async function startUseCaseWorld(): Promise<UseCaseWorld> {
  const database = await createTestDatabase();
  // The use cases' webhook events are part of what they write: an endpoint wants them all.
  await subscribe(database.db);
  const prefix = uniquePrefix();
  const keys = storeKeys(prefix);
  const redis = connectRedis(TEST_REDIS_URL);
  const connection = { redis, prefix: keys.queuePrefix };
  const queues = {
    fulfillment: openQueue<FulfillmentJob>(connection, FULFILLMENT_QUEUE),
    send: openQueue<SendJob>(connection, SEND_QUEUE),
  };
  return {
    database,
    stores: createStores(database.db),
    redis,
    keys,
    queues,
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      redis.disconnect();
      await clearPrefix(TEST_REDIS_URL, prefix);
      await database.drop();
    },
  };
}

/** Intake as the service wires it, its fan-outs scheduled on the world's fulfillment queue. */
export function intakeDeps(world: UseCaseWorld, clock: Clock, timeZone = 'UTC'): IntakeDeps {
  return {
    ...world.stores,
    catalog: loadCatalog(),
    clock,
    timeZone,
    mailFromAddress: MAIL_FROM_ADDRESS,
    scheduleFanOut: (id, notBefore) => scheduleFulfillment(world.queues.fulfillment, id, notBefore, clock.now()),
  };
}

/** The fan-out as the service wires it: real keys, real certificates, sends queued on the world's send queue. */
export function fanOutDeps(
  world: UseCaseWorld,
  clock: Clock,
  options: { timeZone?: string; signingKey?: KeyObject } = {},
): FanOutDeps {
  const catalog = loadCatalog();
  return {
    ...world.stores,
    catalog,
    brand: TEST_BRAND,
    clock,
    timeZone: options.timeZone ?? 'UTC',
    renderCertificate,
    issueFulfillmentKeys: (f, entitlements) =>
      issueFulfillmentKeys(world.stores.activations, catalog, options.signingKey, f, entitlements),
    enqueueSends: (ids) => enqueueSends(world.queues.send, ids, SEND_RETRY),
  };
}

/** An event accepted and every fulfillment of it fanned out (due by `clock`): what a send or a resend starts from. */
export async function shippedOrder(
  world: UseCaseWorld,
  clock: Clock,
  event: unknown,
  options: { signingKey?: KeyObject } = {},
): Promise<IntakeResponse> {
  const { response } = await acceptEvent(intakeDeps(world, clock), event, 'test');
  for (const f of response.fulfillments) await fanOut(fanOutDeps(world, clock, options), f.id);
  return response;
}

/** The ids of every job a queue holds, in any state, sorted. */
export async function jobIds(queue: Queue): Promise<string[]> {
  const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']);
  return jobs.map((j) => j.id!).sort();
}

/** Rows of a table matching `where`: what a use case wrote. */
export async function countRows(
  world: UseCaseWorld,
  table: string,
  where = 'true',
  params: unknown[] = [],
): Promise<number> {
  const [row] = await world.database.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
    params,
  );
  return row!.n;
}

/** The types of the webhook events recorded for an order, sorted (events of one instant have no order). */
export async function webhookEventTypes(world: UseCaseWorld, orderNumber: string): Promise<string[]> {
  const rows = await world.database.db.query<{ type: string }>(
    'SELECT type FROM webhook_events WHERE order_number = $1 ORDER BY type',
    [orderNumber],
  );
  return rows.map((r) => r.type);
}
