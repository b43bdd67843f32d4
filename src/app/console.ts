import type { ApiPlugin } from '../api/server.ts';
import { consolePlugin } from '../console/plugin.ts';
import type { ConsoleBackend, SearchHit, SelfServiceBackend } from '../console/port.ts';
import { todayIn } from '../entitlement/dates.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import { rateLimitStore } from '../store/rate-limits.ts';
import { WebhookDeliveries } from '../store/webhook-deliveries.ts';
import { WebhookEndpoints } from '../store/webhook-endpoints.ts';
import { auditPage } from '../support/audit-page.ts';
import { deliveredCertificate } from '../support/certificate.ts';
import { accountEntitlements, findEntitlements, type EntitlementQueryDeps } from '../support/entitlement-search.ts';
import { orderView } from '../support/order-view.ts';
import { SELF_SERVICE_ACTOR, selfServiceResend } from '../support/self-service.ts';
import { enableEndpoint, endpointsWithFailures } from '../webhooks/admin.ts';
import type { AppContext } from './context.ts';
import { noticesOfOrder } from './notices.ts';
import { resendFor } from './support.ts';

/** `run`'s result, or undefined when it fails (synchronously too) with one of `errors`. */
const undefinedWhen = <T>(
  run: () => Promise<T>,
  ...errors: Array<new (...args: never[]) => Error>
): Promise<T | undefined> =>
  Promise.resolve()
    .then(run)
    .catch((error: unknown) => {
      if (errors.some((e) => error instanceof e)) return undefined;
      throw error;
    });

type OrderHit = Extract<SearchHit, { kind: 'order' }>;
/** A contact on more orders than this is listed with its first ones: a search box is no report. */
const CONTACT_ORDERS_SHOWN = 200;

/**
 * Orders a reference names: an order number, an SSRN or an Activation Code (codes and SSRNs also typed in lower
 * case).
 */
async function ordersByReference(ctx: AppContext, term: string): Promise<OrderHit[]> {
  const spellings = [...new Set([term, term.toUpperCase()])];
  const [order, bySsrn, byCode] = await Promise.all([
    ctx.orders.get(term),
    Promise.all(spellings.map((s) => ctx.entitlements.get(s))),
    Promise.all(spellings.map((s) => ctx.entitlements.byCode(s))),
  ]);
  return [
    ...(order ? [{ kind: 'order' as const, orderNumber: order.number, via: 'order' as const }] : []),
    ...bySsrn.flatMap((e) => (e ? [{ kind: 'order' as const, orderNumber: e.orderNumber, via: 'ssrn' as const }] : [])),
    ...byCode.flatMap((e) =>
      e ? [{ kind: 'order' as const, orderNumber: e.orderNumber, via: 'activationCode' as const }] : [],
    ),
  ];
}

/** The orders a contact's address is on, and the account of that ID when it is on any order. */
async function contactsAndAccounts(ctx: AppContext, queries: EntitlementQueryDeps, term: string): Promise<SearchHit[]> {
  if (term.includes('@')) {
    const found = await undefinedWhen(
      () => findEntitlements(queries, { email: term.toLowerCase(), limit: CONTACT_ORDERS_SHOWN }),
      InvalidInputError,
    );
    return (found?.items ?? []).map((e) => ({ kind: 'order', orderNumber: e.orderNumber, via: 'contact' }));
  }
  const account = await undefinedWhen(() => accountEntitlements(queries, term, { limit: 1 }), InvalidInputError);
  return account?.items.length ? [{ kind: 'account', accountId: term }] : [];
}

const distinct = (hits: SearchHit[]) =>
  hits.filter(
    (h, i) =>
      hits.findIndex((x) =>
        x.kind === 'order' && h.kind === 'order'
          ? x.orderNumber === h.orderNumber
          : x.kind === h.kind && x.kind === 'account',
      ) === i,
  );

export function consoleBackend(ctx: AppContext): ConsoleBackend {
  const queries: EntitlementQueryDeps = {
    entitlementSearch: ctx.entitlementSearch,
    clock: ctx.clock,
    timeZone: ctx.config.FULFILLMENT_TZ,
  };
  const webhookAdmin = {
    endpoints: new WebhookEndpoints(ctx.db),
    deliveries: new WebhookDeliveries(ctx.db),
    audit: ctx.audit,
  };
  return {
    async search(term) {
      const [references, others] = await Promise.all([
        ordersByReference(ctx, term),
        contactsAndAccounts(ctx, queries, term),
      ]);
      return distinct([...references, ...others]);
    },
    order: (number) => undefinedWhen(() => orderView(ctx, number), NotFoundError),
    notices: (number) => noticesOfOrder(ctx, number),
    async resend(number, request, caller, key) {
      const { deliveries, replayed } = await resendFor(ctx, number, request, caller, key);
      return { deliveries: deliveries.length, replayed };
    },
    certificate: (number) => undefinedWhen(() => deliveredCertificate(ctx.fulfillments, number), NotFoundError),
    audit: (query) => auditPage(ctx.audit, query),
    async accountEntitlements(accountId, query) {
      const page = await accountEntitlements(queries, accountId, query);
      return {
        entitlements: page.items.map((e) => ({
          entitlement: e,
          deliveries: e.delivery,
          activations: e.activations.length,
        })),
        ...(page.next && { next: page.next }),
      };
    },
    webhooks: () => endpointsWithFailures(webhookAdmin),
    enableWebhook: (id, caller) => enableEndpoint(webhookAdmin, id, caller.name),
    products: () => [...ctx.catalog.values()].map((p) => ({ key: p.key, name: p.displayName })),
    today: () => todayIn(ctx.config.FULFILLMENT_TZ, ctx.clock.now()),
  };
}
export function selfServiceBackend(ctx: AppContext): SelfServiceBackend {
  return {
    async resendToContact(request) {
      await selfServiceResend(
        {
          findOrder: async (reference) => (await ordersByReference(ctx, reference))[0]?.orderNumber,
          orderView: (number) => undefinedWhen(() => orderView(ctx, number), NotFoundError),
          resend: (number, body, key) =>
            resendFor(ctx, number, body, { name: SELF_SERVICE_ACTOR, role: 'support' }, key),
          audit: ctx.audit,
        },
        request,
      );
    },
    recordRefusal: ({ outcome, detail }) =>
      ctx.audit.record({ actor: SELF_SERVICE_ACTOR, action: 'self-service-resend', outcome, detail }),
  };
}

/** The console and self-service pages, over the same use cases as the API. */
export const consoleApiPlugin =
  (ctx: AppContext): ApiPlugin =>
  (app) =>
    consolePlugin(app, {
      backend: consoleBackend(ctx),
      selfService: selfServiceBackend(ctx),
      sessions: ctx.sessions,
      tokens: ctx.config.API_TOKENS,
      clock: ctx.clock,
      brand: ctx.config.BRAND_NAME,
      limits: {
        perAddressPerHour: ctx.config.SELF_SERVICE_PER_ADDRESS_PER_HOUR,
        perReferencePerHour: ctx.config.SELF_SERVICE_PER_REFERENCE_PER_HOUR,
        perClientPerHour: ctx.config.SELF_SERVICE_PER_CLIENT_PER_HOUR,
      },
      rateLimitStore: rateLimitStore(ctx.redis, ctx.keys),
    });
