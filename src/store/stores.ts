import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { ActivationStore } from './activations.ts';
import { AuditLog } from './audit.ts';
import { connectPostgres, openPglite, type Db } from './db.ts';
import { DeliveryStore } from './deliveries.ts';
import { EntitlementSearch } from './entitlement-search.ts';
import { EntitlementStore } from './entitlements.ts';
import { FulfillmentStore } from './fulfillments.ts';
import { IntakeStore } from './intake-store.ts';
import { NoticeStore } from './notices.ts';
import { migrate } from './migrate.ts';
import { OrderStore } from './orders.ts';
import { VerificationStore } from './verification.ts';
import { UndeliverableFulfillments } from './undeliverable.ts';
import { WebhookOutbox } from './webhook-outbox.ts';

/** The repositories over the system of record, one per aggregate. */
export interface Stores {
  db: Db;
  intakeStore: IntakeStore;
  orders: OrderStore;
  entitlements: EntitlementStore;
  entitlementSearch: EntitlementSearch;
  fulfillments: FulfillmentStore;
  deliveries: DeliveryStore;
  activations: ActivationStore;
  audit: AuditLog;
  verification: VerificationStore;
  notices: NoticeStore;
  /** Webhook events, written in the transaction of each state change. */
  outbox: WebhookOutbox;
  undeliverable: UndeliverableFulfillments;
}

export function createStores(db: Db): Stores {
  return {
    db,
    intakeStore: new IntakeStore(db),
    orders: new OrderStore(db),
    entitlements: new EntitlementStore(db),
    entitlementSearch: new EntitlementSearch(db),
    fulfillments: new FulfillmentStore(db),
    deliveries: new DeliveryStore(db),
    activations: new ActivationStore(db),
    audit: new AuditLog(db),
    verification: new VerificationStore(db),
    notices: new NoticeStore(db),
    outbox: new WebhookOutbox(db),
    undeliverable: new UndeliverableFulfillments(db),
  };
}

export interface DatabaseSettings {
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
}

/**
 * PostgreSQL at DATABASE_URL; without it, embedded PostgreSQL (PGlite) in DATA_DIR where `embedded` allows it (one
 * process owns that directory, so only a single-process service or command may use it). Migrated before use.
 */
export async function openDatabase(
  settings: DatabaseSettings,
  options: { embedded: boolean; poolSize?: number },
): Promise<Db> {
  if (!settings.DATABASE_URL && !options.embedded) {
    throw new ConfigError([
      'DATABASE_URL: is required when the API and the workers run as separate processes (postgres://user:pass@host:5432/db)',
    ]);
  }
  const db = settings.DATABASE_URL
    ? connectPostgres(settings.DATABASE_URL, { ...(options.poolSize && { max: options.poolSize }) })
    : await openPglite(
        await mkdir(join(settings.DATA_DIR, 'pglite'), { recursive: true }).then(() =>
          join(settings.DATA_DIR, 'pglite'),
        ),
      );
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}

/** Throws when the database does not answer. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.query('SELECT 1');
}
