import type { ApiBackend } from '../api/port.ts';
import type { AppContext } from './context.ts';
import { intake } from './intake.ts';
import { noticesOfOrder, unsubscribeService } from './notices.ts';
import { readiness } from './readiness.ts';
import { resendFor } from './support.ts';

/** The API's backend over a process's context: the same use cases the CLI calls. */
export function apiBackend(ctx: AppContext): ApiBackend {
  return {
    config: ctx.config,
    logger: ctx.logger,
    clock: ctx.clock,
    sessions: ctx.sessions,
    redis: ctx.redis,
    keys: ctx.keys,
    orders: ctx.orders,
    entitlements: ctx.entitlements,
    fulfillments: ctx.fulfillments,
    deliveries: ctx.deliveries,
    activations: ctx.activations,
    entitlementSearch: ctx.entitlementSearch,
    audit: ctx.audit,
    verification: ctx.verification,
    intake: (input, actor) => intake(ctx, input, actor),
    resend: (orderNumber, body, caller, key) => resendFor(ctx, orderNumber, body, caller, key),
    noticesOfOrder: (orderNumber) => noticesOfOrder(ctx, orderNumber),
    unsubscribe: unsubscribeService(ctx),
    readiness: () => readiness(ctx),
  };
}
