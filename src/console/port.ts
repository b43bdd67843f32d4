import type { Caller } from '../api/auth.ts';
import type { EntitlementStatus } from '../entitlement/status.ts';
import type { Entitlement } from '../model.ts';
import type { OrderNotices } from '../notices/order-notices.ts';
import type { WebhookEndpoint } from '../store/webhook-endpoints.ts';
import type { OrderView } from '../support/order-view.ts';
import type { EndpointWithFailures } from '../webhooks/admin.ts';

/** What one search box term found: orders (by number, SSRN, Activation Code or contact address) or an account. */
export type SearchHit =
  | { kind: 'order'; orderNumber: string; via: 'order' | 'ssrn' | 'activationCode' | 'contact' }
  | { kind: 'account'; accountId: string };

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  order?: string;
  outcome: string;
  detail?: Record<string, unknown>;
}

export interface AccountEntitlement {
  entitlement: Entitlement;
  deliveries: { sent: number; pending: number; failed: number };
  activations: number;
}

export interface AccountEntitlementsQuery {
  status?: EntitlementStatus;
  product?: string;
  cursor?: string;
  limit: number;
}

/**
 * What the console needs from the rest of the service. The console declares it; src/app/ hands it an implementation
 * over the same use cases the API calls, so a page and its API route cannot disagree.
 */
export interface ConsoleBackend {
  search(term: string): Promise<SearchHit[]>;
  order(orderNumber: string): Promise<OrderView | undefined>;
  /** The order's subscription notices, sent (per recipient, with status) and due, as GET /v1/orders/{n} has them. */
  notices(orderNumber: string): Promise<OrderNotices>;
  /**
   * The API's resend with its rules (roles, domains, rate limit, Idempotency-Key); throws the same typed errors.
   * `replayed`: the form was sent before, and that resend's deliveries are counted.
   */
  resend(
    orderNumber: string,
    request: { lines?: string[]; to?: string[]; reason: string },
    caller: Caller,
    idempotencyKey: string,
  ): Promise<{ deliveries: number; replayed: boolean }>;
  certificate(orderNumber: string): Promise<{ fileName: string; pdf: Buffer } | undefined>;
  audit(query: { order?: string; limit: number; before?: number }): Promise<{ entries: AuditRow[]; next?: number }>;
  accountEntitlements(
    accountId: string,
    query: AccountEntitlementsQuery,
  ): Promise<{ entitlements: AccountEntitlement[]; next?: string }>;
  /** Admins: every webhook endpoint with its health and latest failed deliveries. */
  webhooks(): Promise<EndpointWithFailures[]>;
  /** Admins: the API's `POST /v1/webhooks/{id}/enable`, audited under the caller's name, with the same typed errors. */
  enableWebhook(id: string, caller: Caller): Promise<WebhookEndpoint>;
  /** The catalog's products, for the account page's filter. */
  products(): Array<{ key: string; name: string }>;
  /** Today's calendar date where fulfillment dates are kept (FULFILLMENT_TZ). */
  today(): string;
}

/** The self-service resend, done after the answer went out (the answer must not tell whether anything is sent). */
export interface SelfServiceBackend {
  resendToContact(request: { reference: string; email: string; client: string }): Promise<void>;
  /**
   * Audits a request refused before that (invalid, or over a limit): every self-service request is in the audit log.
   */
  recordRefusal(refusal: { outcome: 'invalid' | 'limited'; detail: Record<string, unknown> }): Promise<void>;
}
