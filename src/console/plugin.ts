import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows } from '../api/auth.ts';
import { httpError } from '../api/errors.ts';
import { SIGN_IN_PATH, sessionCaller } from '../api/browser-session.ts';
import { ForbiddenError, InvalidInputError, NotFoundError, RateLimitedError } from '../errors.ts';
import { consolePages } from './pages.ts';
import { csrfHmacKey, csrfUserInfo, sendPage, stringsFor, type Access } from './scope.ts';
import { selfServiceRoutes } from './self-service.ts';
import { sessionRoutes } from './session-routes.ts';
import { webhookPages } from './webhooks-page.ts';
import type { ConsoleContext, ConsoleOptions } from './context.ts';
import { loadConsoleViews } from './views.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

/** No script, no frame, no plugin; styles from our own stylesheet; forms post only to us. */
const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
};

/** A program's request (JSON to `POST /self-service/resend`) rather than a browser's form or page load. */
const wantsJson = (request: FastifyRequest) =>
  request.method === 'POST' && !(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

/**
 * Typed errors and the plugins' own (CSRF 403, body parsing) as a page in the browser's language; as the API's JSON
 * errors to a program.
 */
function errorPage(ctx: ConsoleContext) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (wantsJson(request)) {
      const { status, body, headers } = httpError(error);
      if (status >= 500) request.log.error({ err: error }, 'self-service request failed');
      return reply
        .code(status)
        .headers(headers ?? {})
        .send(body);
    }
    const strings = stringsFor(ctx.views, request);
    const [status, message] =
      error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET'
        ? [403, strings.text('error.csrf')]
        : error instanceof ForbiddenError
          ? [403, strings.text('error.forbidden')]
          : error instanceof NotFoundError
            ? [404, strings.text('error.notFound')]
            : error instanceof RateLimitedError
              ? [429, strings.text('error.limited')]
              : error instanceof InvalidInputError || (error.statusCode && error.statusCode < 500)
                ? [error.statusCode && error.statusCode !== 500 ? error.statusCode : 400, strings.text('error.invalid')]
                : [500, strings.text('error.internal')];
    if (status >= 500) request.log.error({ err: error }, 'console request failed');
    if (error instanceof RateLimitedError) reply.header('retry-after', String(error.retryAfterSeconds));
    return sendPage(
      request,
      reply,
      ctx.views,
      'error',
      strings,
      { title: strings.text('error.title'), message },
      status,
    );
  };
}

/**
 * The support console (`/console/`) and the self-service page (`/self-service/`): server-rendered pages with their own
 * security headers, form parsing and CSRF checks, in a scope of their own so none of it touches the JSON API.
 */
export async function consolePlugin(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const ctx: ConsoleContext = { ...options, views: loadConsoleViews(options.brand) };
  await app.register(async (scope) => {
    scope.decorateRequest('consoleSession', null);
    await scope.register(fastifyHelmet, {
      contentSecurityPolicy: CONTENT_SECURITY_POLICY,
      strictTransportSecurity: false,
    });
    await scope.register(fastifyFormbody, { bodyLimit: 16 * 1024 });
    await scope.register(fastifyCsrf, {
      getUserInfo: csrfUserInfo,
      csrfOpts: { hmacKey: csrfHmacKey(options.tokens), userInfo: true },
    });
    await scope.register(fastifyRateLimit, { global: false, store: options.rateLimitStore as never });
    scope.setErrorHandler(errorPage(ctx));
    scope.addHook('onRequest', async (request, reply) => {
      const found = await sessionCaller(ctx.sessions, ctx.tokens, request, ctx.clock.now());
      request.consoleSession = found ?? null;
      const access = request.routeOptions.config.access ?? 'public';
      if (access === 'public') return;
      if (!found) {
        const next = request.method === 'GET' ? request.url : undefined;
        return reply.redirect(`${SIGN_IN_PATH}?${new URLSearchParams({ needed: '1', ...(next && { next }) })}`, 303);
      }
      if (!roleAllows(found.caller.role, access)) throw new ForbiddenError(`this page needs role ${access}`);
    });

    const notFound = (request: FastifyRequest, reply: FastifyReply) =>
      errorPage(ctx)(new NotFoundError(request.url) as FastifyError, request, reply);
    await scope.register(
      async (pages) => {
        pages.setNotFoundHandler(notFound);
        pages.get('/console.css', async (_request, reply) =>
          reply
            .type('text/css; charset=utf-8')
            .header('cache-control', 'public, max-age=3600')
            .send(ctx.views.stylesheet),
        );
        sessionRoutes(pages, ctx);
        consolePages(pages, ctx);
        webhookPages(pages, ctx);
      },
      { prefix: '/console' },
    );
    await scope.register(
      async (selfService) => {
        selfService.setNotFoundHandler(notFound);
        // JSON or the page's form only: anything else is a 415, as on the API.
        selfService.removeContentTypeParser('text/plain');
        selfServiceRoutes(selfService, ctx);
      },
      { prefix: '/self-service' },
    );
  });
}
