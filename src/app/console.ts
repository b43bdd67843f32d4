import type { ApiPlugin } from '../api/server.ts';
import { consolePlugin } from '../console/plugin.ts';
import type { ConsoleBackend, SearchHit, SelfServiceBackend } from '../console/port.ts';
import { todayIn } from '../entitlement/dates.ts';
import { NotFoundError } from '../errors.ts';
import { opsPlugins } from '../ops/plugins.ts';
import { rateLimitStore } from '../store/rate-limits.ts';
import { auditPage } from '../support/audit-page.ts';
import { deliveredCertificate } from '../support/certificate.ts';
import { orderView } from '../support/order-view.ts';
import { SELF_SERVICE_ACTOR, selfServiceResend } from '../support/self-service.ts';
import type { AppContext } from './context.ts';
import { resendFor } from './support.ts';

const undefinedWhenNotFound = <T>(promise: Promise<T>): Promise<T | undefined> =>
  promise.catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });

/** Orders a reference names: an order number, an SSRN or an Activation Code (codes and SSRNs also typed in lower case). */
async function ordersByReference(ctx: AppContext, term: string): Promise<Array<Extract<SearchHit, { kind: 'order' }>>> {
  const spellings = [...new Set([term, term.toUpperCase()])];
  const [order, bySsrn, byCode] = await Promise.all([
    ctx.records.order(term),
    Promise.all(spellings.map((s) => ctx.records.entitlement(s))),
    Promise.all(spellings.map((s) => ctx.records.entitlementByCode(s))),
  ]);
  const hits: Array<Extract<SearchHit, { kind: 'order' }>> = [];
  if (order) hits.push({ kind: 'order', orderNumber: order.number, via: 'order' });
  for (const e of bySsrn) if (e) hits.push({ kind: 'order', orderNumber: e.orderNumber, via: 'ssrn' });
  for (const e of byCode) if (e) hits.push({ kind: 'order', orderNumber: e.orderNumber, via: 'activationCode' });
  return hits.filter((h, i) => hits.findIndex((x) => x.orderNumber === h.orderNumber) === i);
}

export function consoleBackend(ctx: AppContext): ConsoleBackend {
  return {
    search: (term) => ordersByReference(ctx, term),
    order: (number) => undefinedWhenNotFound(orderView(ctx.records, ctx.deliveries, number)),
    async resend(number, request, caller) {
      return { deliveries: (await resendFor(ctx, number, request, caller)).deliveries.length };
    },
    certificate: (number) => undefinedWhenNotFound(deliveredCertificate(ctx.records, number)),
    audit: (query) => auditPage(ctx.audit, query),
    accountEntitlements: async () => ({ entitlements: [] }),
    products: () => [...ctx.catalog.values()].map((p) => ({ key: p.key, name: p.displayName })),
    today: () => todayIn(ctx.config.FULFILLMENT_TZ, ctx.clock.now()),
  };
}

export function selfServiceBackend(ctx: AppContext): SelfServiceBackend {
  return {
    async resendToContact(request) {
      await selfServiceResend({
        findOrder: async (reference) => (await ordersByReference(ctx, reference))[0]?.orderNumber,
        orderView: (number) => undefinedWhenNotFound(orderView(ctx.records, ctx.deliveries, number)),
        resend: (number, body) => resendFor(ctx, number, body, { name: SELF_SERVICE_ACTOR, role: 'support' }),
        audit: ctx.audit,
      }, request);
    },
    recordRefusal: ({ outcome, detail }) => ctx.audit.record({ actor: SELF_SERVICE_ACTOR, action: 'self-service-resend', outcome, detail }),
  };
}

/** The console and self-service pages, over the same use cases as the API. */
export const consoleApiPlugin: ApiPlugin = (app, ctx) => consolePlugin(app, {
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

/** Every route mounted beside the API: metrics, the queue dashboard, the console and self-service. */
export const servicePlugins: ApiPlugin[] = [...opsPlugins, consoleApiPlugin];
