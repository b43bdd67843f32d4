import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadCatalog, type Catalog } from '../catalog/catalog.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { outboxTransport, smtpTransport, type DkimSettings, type MailTransport } from '../mail/transport.ts';
import { connectRedis } from '../store/connection.ts';
import { storeKeys, type StoreKeys } from '../store/keys.ts';
import { createStores, openDatabase, type Stores } from '../store/stores.ts';
import type { Db } from '../store/db.ts';
import { SessionStore } from '../store/sessions.ts';
import { loadSigningKey } from '../license/signing-keys.ts';
import { openQueue, type QueueConnection } from '../../queues/connection.ts';
import { FULFILLMENT_QUEUE, type FulfillmentJob } from '../../queues/fulfillment.queue.ts';
import { SEND_QUEUE, type SendJob } from '../../queues/send.queue.ts';
import { ACTIVATION_QUEUE, type ActivationJob } from '../../queues/activation.queue.ts';
import { NOTICE_SWEEP_QUEUE, type NoticeSweepJob } from '../../queues/notice-sweep.queue.ts';
import { createLogger, type Logger } from '../logger.ts';

/** Everything a process of the service shares: built once from the validated settings. */
export interface AppContext extends Stores {
  config: Config;
  /**
   * Redis for locks, rate limits and short-lived state (the repositories in src/store/redis-*.ts); queues have their
   * own.
   */
  redis: Redis;
  keys: StoreKeys;
  sessions: SessionStore;
  catalog: Catalog;
  clock: Clock;
  logger: Logger;
  transport: MailTransport;
  signingKey: KeyObject | undefined;
  queueConnection: QueueConnection;
  queues: {
    fulfillment: Queue<FulfillmentJob>;
    send: Queue<SendJob>;
    activation: Queue<ActivationJob>;
    noticeSweep: Queue<NoticeSweepJob>;
  };
  close(): Promise<void>;
}

export interface ContextOverrides {
  /** May the embedded database (PGlite in DATA_DIR) stand in when DATABASE_URL is unset: single-process uses only. */
  embeddedDatabase?: boolean;
  /** An open database to use instead of opening one from the settings (the demo's, a test's). */
  db?: Db;
  clock?: Clock;
  logger?: Logger;
  transport?: MailTransport;
  catalog?: Catalog;
}

export function dkimSettings(config: Config): DkimSettings | undefined {
  if (!config.DKIM_DOMAIN || !config.DKIM_SELECTOR || !config.DKIM_PRIVATE_KEY) return undefined;
  const key = config.DKIM_PRIVATE_KEY.includes('-----BEGIN')
    ? config.DKIM_PRIVATE_KEY
    : readFileSync(config.DKIM_PRIVATE_KEY, 'utf8');
  return { domainName: config.DKIM_DOMAIN, keySelector: config.DKIM_SELECTOR, privateKey: key };
}

export function createTransport(config: Config): MailTransport {
  const dkim = dkimSettings(config);
  return config.SMTP_URL
    ? smtpTransport(config.SMTP_URL, {
        poolSize: config.SMTP_POOL_SIZE,
        timeoutMs: config.SMTP_TIMEOUT_MS,
        ...(dkim && { dkim }),
      })
    : outboxTransport(config.OUTBOX_DIR, { ...(dkim && { dkim }) });
}

export async function createContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  const db = overrides.db ?? (await openDatabase(config, { embedded: overrides.embeddedDatabase ?? false }));
  const redis = connectRedis(config.REDIS_URL);
  // Queues get a connection of their own: BullMQ defines some fifty scripts on the connection it is given, and ioredis
  // copies every script defined on a connection into each pipeline or transaction made from it, the store's included.
  const queueRedis = connectRedis(config.REDIS_URL);
  const keys = storeKeys(config.KEY_PREFIX);
  const queueConnection = { redis: queueRedis, prefix: keys.queuePrefix };
  const transport = overrides.transport ?? createTransport(config);
  const queues = {
    fulfillment: openQueue<FulfillmentJob>(queueConnection, FULFILLMENT_QUEUE),
    send: openQueue<SendJob>(queueConnection, SEND_QUEUE),
    activation: openQueue<ActivationJob>(queueConnection, ACTIVATION_QUEUE),
    noticeSweep: openQueue<NoticeSweepJob>(queueConnection, NOTICE_SWEEP_QUEUE),
  };
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL);
  // While Redis is away every connection reports each reconnect attempt; that belongs in the log, at most every 2 s.
  const onRedisError = (source: string) => (error: Error) =>
    logger.warn({ source, err: error.message }, 'redis unavailable, retrying');
  redis.on('error', onRedisError('store'));
  for (const q of Object.values(queues)) (q as Queue).on('error', onRedisError(`queue ${q.name}`));
  return {
    config,
    ...createStores(db),
    redis,
    keys,
    sessions: new SessionStore(redis, keys, config.SESSION_IDLE_SECONDS, config.SESSION_MAX_SECONDS),
    catalog: overrides.catalog ?? loadCatalog(),
    clock: overrides.clock ?? systemClock,
    logger,
    transport,
    signingKey: config.LICENSE_SIGNING_KEY ? loadSigningKey(config.LICENSE_SIGNING_KEY) : undefined,
    queueConnection,
    queues,
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      transport.close();
      await Promise.all([redis, queueRedis].map((r) => r.quit().catch(() => r.disconnect())));
      if (!overrides.db) await db.close();
    },
  };
}
