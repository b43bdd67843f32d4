import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { intake } from '../app/intake.ts';
import { resendFor } from '../app/support.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import { zodIssues } from '../event/schema.ts';
import { certificateFileName } from '../mail/compose.ts';
import { accountEntitlements, findEntitlements } from '../support/entitlement-search.ts';
import { orderView } from '../support/order-view.ts';
import { ADMIN_LOGIN_PATH, adminCookieBearer, adminLoginPlugin } from './admin-login.ts';
import { authenticate, roleAllows, type Caller } from './auth.ts';
import { installErrorHandler } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { readiness } from './readiness.ts';
import { ROUTES, auditQuerySchema, certificateQuerySchema, type RouteSpec } from './route-table.ts';
import type { z } from 'zod';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
  interface FastifyContextConfig {
    spec?: RouteSpec;
  }
}

export const BODY_LIMIT = 1024 * 1024;

/** Extra routes mounted by other modules (metrics, queue dashboard), given the same auth. */
export type ApiPlugin = (app: FastifyInstance, ctx: AppContext) => Promise<void>;

function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const result = schema.safeParse(query);
  if (!result.success) throw new InvalidInputError('invalid query', zodIssues(result.error));
  return result.data;
}

export async function buildApi(ctx: AppContext, plugins: ApiPlugin[] = []): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({ loggerInstance: ctx.logger.child({ component: 'api' }) as FastifyBaseLogger, bodyLimit: BODY_LIMIT });
  installErrorHandler(app);

  // Authentication runs before the body is read, so an unauthenticated caller cannot make us parse 1 MiB.
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // The matched route's path, not the raw URL: the router decodes `/%61dmin/…` to `/admin/…`, so the raw URL cannot decide.
    const path = request.routeOptions.url ?? request.url;
    const role = request.routeOptions.config.spec?.role ?? (path.startsWith('/admin/') && !path.startsWith(ADMIN_LOGIN_PATH) ? 'admin' : undefined);
    if (!role) return;
    const caller = authenticate(ctx.config.API_TOKENS, request.headers.authorization ?? adminCookieBearer(request));
    if (!caller) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a valid bearer token is required', issues: [] });
    if (!roleAllows(caller.role, role)) return reply.code(403).send({ error: `this route needs role ${role}; the token has role ${caller.role}`, issues: [] });
    request.caller = caller;
  });

  const route = (spec: RouteSpec, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    app.route({ method: spec.method, url: spec.url, config: { spec }, handler });

  route(ROUTES.intake, async (request, reply) => {
    const result = await intake(ctx, request.body, request.caller!.name);
    return reply.code(result.replay ? 200 : 202).send(result.response);
  });
  route(ROUTES.order, async (request) => orderView(ctx, (request.params as { number: string }).number));
  route(ROUTES.resend, async (request, reply) => {
    const result = await resendFor(ctx, (request.params as { number: string }).number, request.body, request.caller!);
    return reply.code(202).send(result);
  });
  route(ROUTES.certificate, async (request, reply) => {
    const number = (request.params as { number: string }).number;
    const { fulfillment } = parseQuery(certificateQuerySchema, request.query);
    const shipped = (await ctx.fulfillments.forOrder(number)).filter((f) => f.fannedOutAt);
    const chosen = fulfillment ? shipped.find((f) => f.id === fulfillment) : shipped.at(-1);
    const pdf = chosen && (await ctx.fulfillments.certificate(chosen.id));
    if (!chosen || !pdf) throw new NotFoundError(fulfillment ? `no delivered fulfillment ${fulfillment} on order ${number}` : `order ${number} has no delivered certificate`);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${certificateFileName(chosen.certificateNumber)}"`)
      .send(pdf);
  });
  const entitlementQueries = { entitlementSearch: ctx.entitlementSearch, clock: ctx.clock, timeZone: ctx.config.FULFILLMENT_TZ };
  route(ROUTES.accountEntitlements, async (request) => accountEntitlements(entitlementQueries, (request.params as { id: string }).id, request.query));
  route(ROUTES.entitlements, async (request) => findEntitlements(entitlementQueries, request.query));
  route(ROUTES.audit, async (request) => {
    const query = parseQuery(auditQuerySchema, request.query);
    const entries = await ctx.audit.read(query);
    return { entries, ...(entries.length === query.limit && { next: entries.at(-1)!.id }) };
  });
  route(ROUTES.healthz, async () => ({ status: 'ok' }));
  route(ROUTES.readyz, async (_request, reply) => {
    const problems = await readiness(ctx);
    return reply.code(problems.length ? 503 : 200).send(problems.length ? { status: 'not ready', problems } : { status: 'ready' });
  });
  route(ROUTES.openapi, async () => openApiDocument(process.env.npm_package_version ?? '0.1.0'));
  await adminLoginPlugin(app, ctx);
  for (const plugin of plugins) await plugin(app, ctx);
  return app;
}
