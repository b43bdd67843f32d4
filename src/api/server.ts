import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { InvalidInputError } from '../errors.ts';
import { zodIssues } from '../event/schema.ts';
import { auditPage } from '../support/audit-page.ts';
import { deliveredCertificate } from '../support/certificate.ts';
import { accountEntitlements, findEntitlements } from '../support/entitlement-search.ts';
import { orderView } from '../support/order-view.ts';
import { RateWindow } from '../store/redis-rate-window.ts';
import { verificationPage } from '../verification/page.ts';
import { verificationOf } from '../verification/view.ts';
import { MAX_PARAM_LENGTH, unsubscribeRoutes } from './unsubscribe.ts';
import fastifyCookie from '@fastify/cookie';
import { ADMIN_PATHS, adminLoginPlugin } from './admin-login.ts';
import { authenticate, roleAllows, type Caller } from './auth.ts';
import { SIGN_IN_PATH, safeNext, sessionCaller } from './browser-session.ts';
import { installErrorHandler } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import type { ApiBackend } from './port.ts';
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

/** Extra routes mounted by other modules (metrics, queue dashboard, console), given the same auth. */
export type ApiPlugin = (app: FastifyInstance) => Promise<void>;

function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const result = schema.safeParse(query);
  if (!result.success) throw new InvalidInputError('invalid query', zodIssues(result.error));
  return result.data;
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
type Route = (spec: RouteSpec, handler: Handler) => void;

export async function buildApi(ctx: ApiBackend, plugins: ApiPlugin[] = []): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.logger.child({ component: 'api' }) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    ...(ctx.config.TRUST_PROXY && { trustProxy: ctx.config.TRUST_PROXY }),
  });
  installErrorHandler(app);
  // Bodies are JSON only (contract section 6): without Fastify's text/plain parser any other type gets 415.
  app.removeContentTypeParser('text/plain');
  // Before the hook below: it reads the session cookie of /admin/ pages.
  await app.register(fastifyCookie);
  // Authentication runs before the body is read, so an unauthenticated caller cannot make us parse 1 MiB.
  app.addHook('onRequest', authenticateRequest(ctx));

  const route: Route = (spec, handler) => {
    app.route({ method: spec.method, url: spec.url, config: { spec }, handler });
  };
  orderRoutes(ctx, route);
  queryRoutes(ctx, route);
  verifyRoute(ctx, route);
  operationRoutes(ctx, route);
  await unsubscribeRoutes(app, ctx.unsubscribe, ctx.config.brand);
  adminLoginPlugin(app);
  for (const plugin of plugins) await plugin(app);
  return app;
}

/** Sets the caller of a route that needs a role, or answers 401, 403 or (a browser on /admin/) the sign-in page. */
function authenticateRequest(ctx: ApiBackend): Handler {
  return async (request, reply) => {
    // The matched route's path, not the raw URL: the router decodes `/%61dmin/…` to `/admin/…`, so the raw URL
    // cannot decide.
    const path = request.routeOptions.url ?? request.url;
    const admin = path.startsWith('/admin/');
    const role = request.routeOptions.config.spec?.role ?? (admin && !ADMIN_PATHS.includes(path) ? 'admin' : undefined);
    if (!role) return;
    const bearer = request.headers.authorization;
    // Browsers cannot send a bearer header with the dashboard's page loads: there the console's session stands in.
    const caller =
      authenticate(ctx.config.API_TOKENS, bearer) ??
      (admin && !bearer
        ? (await sessionCaller(ctx.sessions, ctx.config.API_TOKENS, request, ctx.clock.now()))?.caller
        : undefined);
    if (!caller && admin && !bearer && request.method === 'GET' && request.headers.accept?.includes('text/html')) {
      return reply.redirect(
        `${SIGN_IN_PATH}?next=${encodeURIComponent(safeNext(request.url.split('?')[0]) ?? '/admin/queues')}`,
        303,
      );
    }
    if (!caller)
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'a valid bearer token is required', issues: [] });
    if (!roleAllows(caller.role, role))
      return reply
        .code(403)
        .send({ error: `this route needs role ${role}; the token has role ${caller.role}`, issues: [] });
    request.caller = caller;
  };
}

/** Intake, an order's view, resend and the delivered certificate. */
function orderRoutes(ctx: ApiBackend, route: Route): void {
  route(ROUTES.intake, async (request, reply) => {
    const result = await ctx.intake(request.body, request.caller!.name);
    return reply.code(result.replay ? 200 : 202).send(result.response);
  });
  route(ROUTES.order, async (request) => {
    const { number } = request.params as { number: string };
    return { ...(await orderView(ctx, number)), notices: await ctx.noticesOfOrder(number) };
  });
  route(ROUTES.resend, async (request, reply) => {
    const key = request.headers['idempotency-key'];
    const { replayed, ...result } = await ctx.resend(
      (request.params as { number: string }).number,
      request.body,
      request.caller!,
      Array.isArray(key) ? key.join(',') : key,
    );
    // As intake answers a repeated event: 200 with the first answer, where the first time was 202.
    return reply.code(replayed ? 200 : 202).send(result);
  });
  route(ROUTES.certificate, async (request, reply) => {
    const { fulfillment } = parseQuery(certificateQuerySchema, request.query);
    const { fileName, pdf } = await deliveredCertificate(
      ctx.fulfillments,
      (request.params as { number: string }).number,
      fulfillment,
    );
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${fileName}"`).send(pdf);
  });
}

/** Entitlement searches and the audit log. */
function queryRoutes(ctx: ApiBackend, route: Route): void {
  const entitlementQueries = {
    entitlementSearch: ctx.entitlementSearch,
    clock: ctx.clock,
    timeZone: ctx.config.FULFILLMENT_TZ,
  };
  route(ROUTES.accountEntitlements, async (request) =>
    accountEntitlements(entitlementQueries, (request.params as { id: string }).id, request.query),
  );
  route(ROUTES.entitlements, async (request) => findEntitlements(entitlementQueries, request.query));
  route(ROUTES.audit, async (request) => auditPage(ctx.audit, parseQuery(auditQuerySchema, request.query)));
}

/** Public, for anyone holding a printed certificate: limited per client address, the same answer for any number. */
function verifyRoute(ctx: ApiBackend, route: Route): void {
  const verifyRate = new RateWindow(ctx.redis, ctx.keys.verifyWindow, 60);
  route(ROUTES.verify, async (request, reply) => {
    const { count, secondsLeft } = await verifyRate.hit(request.ip, ctx.clock.now());
    if (count > ctx.config.VERIFY_REQUESTS_PER_MINUTE) {
      return reply
        .code(429)
        .header('retry-after', String(secondsLeft))
        .send({ error: 'too many verification requests; try again later', issues: [] });
    }
    const number = (request.params as { certificateNumber: string }).certificateNumber.slice(0, 80);
    const answer = verificationOf(number, await ctx.verification.certificate(number));
    reply.header('cache-control', 'no-store').header('vary', 'accept');
    const accept = request.headers.accept ?? '';
    if (accept.includes('application/json') && !accept.includes('text/html')) return reply.send(answer);
    return reply.type('text/html; charset=utf-8').send(verificationPage(answer, ctx.config.brand.name));
  });
}

/** Health, readiness and the OpenAPI document. */
function operationRoutes(ctx: ApiBackend, route: Route): void {
  route(ROUTES.healthz, async () => ({ status: 'ok' }));
  route(ROUTES.readyz, async (_request, reply) => {
    const problems = await ctx.readiness();
    return reply
      .code(problems.length ? 503 : 200)
      .send(problems.length ? { status: 'not ready', problems } : { status: 'ready' });
  });
  route(ROUTES.openapi, async () => openApiDocument(process.env.npm_package_version ?? '0.1.0'));
}
