import type { Redis } from 'ioredis';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { IntakeResult } from '../intake/accept-event.ts';
import type { Logger } from '../logger.ts';
import type { OrderNotices } from '../notices/order-notices.ts';
import type { AuditLog } from '../store/audit.ts';
import type { EntitlementSearch } from '../store/entitlement-search.ts';
import type { StoreKeys } from '../store/keys.ts';
import type { SessionStore } from '../store/sessions.ts';
import type { VerificationStore } from '../store/verification.ts';
import type { OrderViewStores } from '../support/order-view.ts';
import type { resend } from '../support/resend.ts';
import type { Caller } from './auth.ts';
import type { UnsubscribeService } from './unsubscribe.ts';

/** The settings the API's routes read. */
export type ApiSettings = Pick<
  Config,
  'API_TOKENS' | 'TRUST_PROXY' | 'FULFILLMENT_TZ' | 'VERIFY_REQUESTS_PER_MINUTE' | 'brand'
>;

/**
 * What the HTTP API needs from the rest of the service. The API declares it; src/app/ hands it an implementation
 * (app/api.ts), so the API never reaches into the wiring that builds it.
 */
export interface ApiBackend extends OrderViewStores {
  config: ApiSettings;
  logger: Logger;
  clock: Clock;
  sessions: SessionStore;
  /** The verification route's rate window lives here. */
  redis: Redis;
  keys: Pick<StoreKeys, 'verifyWindow'>;
  entitlementSearch: EntitlementSearch;
  audit: AuditLog;
  verification: VerificationStore;
  /** The one intake path, the same as `license-courier enqueue`. */
  intake(input: unknown, actor: string): Promise<IntakeResult>;
  /** Support's resend with its rules, idempotent under a key; a refusal is audited too. */
  resend(orderNumber: string, body: unknown, caller: Caller, idempotencyKey?: string): ReturnType<typeof resend>;
  noticesOfOrder(orderNumber: string): Promise<OrderNotices>;
  unsubscribe: UnsubscribeService;
  /** Why the service cannot do its work now; empty when ready. */
  readiness(): Promise<string[]>;
}
