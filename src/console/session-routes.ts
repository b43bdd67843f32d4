import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, roleAllows } from '../api/auth.ts';
import { clearSessionCookie, safeNext, sessionIdOf, setSessionCookie } from '../api/browser-session.ts';
import { RateLimitedError } from '../errors.ts';
import { field } from './form.ts';
import type { ConsoleContext } from './context.ts';
import { sendPage, stringsFor } from './scope.ts';

/** Sign-in attempts per client in SIGN_IN_WINDOW_MS: enough for a team behind one address, too few to guess tokens. */
const SIGN_IN_ATTEMPTS = 30;
const SIGN_IN_WINDOW_MS = 15 * 60_000;

/** Sign-in with a support or admin token on a form, and sign-out; both under /console/. */
export function sessionRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  signInRoutes(app, ctx);
  signOutRoutes(app, ctx);
}

function signInPage(
  ctx: ConsoleContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { next?: string; problem?: string; notice?: string },
  status = 200,
) {
  const strings = stringsFor(ctx.views, request);
  return sendPage(
    request,
    reply,
    ctx.views,
    'sign-in',
    strings,
    {
      title: strings.text('signIn.title'),
      ...(options.next && { next: options.next }),
      ...(options.problem && { problem: options.problem }),
      ...(options.notice && { notice: options.notice }),
    },
    status,
  );
}

function signInRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const attempts = app.createRateLimit({
    max: SIGN_IN_ATTEMPTS,
    timeWindow: SIGN_IN_WINDOW_MS,
    limitName: 'console-sign-in',
    keyGenerator: (r: FastifyRequest) => r.ip,
  } as never);

  app.get('/sign-in', async (request, reply) => {
    const query = request.query;
    const strings = stringsFor(ctx.views, request);
    const notice = field(query, 'signedOut')
      ? strings.text('signIn.signedOut')
      : field(query, 'needed')
        ? strings.text('signIn.needed')
        : undefined;
    return signInPage(ctx, request, reply, {
      ...(safeNext(field(query, 'next')) && { next: safeNext(field(query, 'next')) }),
      ...(notice && { notice }),
    });
  });

  app.post('/sign-in', { preHandler: app.csrfProtection }, async (request, reply) => {
    const strings = stringsFor(ctx.views, request);
    const next = safeNext(field(request.body, 'next'));
    const attempt = await attempts(request);
    if (!attempt.isAllowed && attempt.isExceeded)
      throw new RateLimitedError('too many sign-in attempts from this address; try again later', attempt.ttlInSeconds);
    const caller = authenticate(ctx.tokens, `Bearer ${field(request.body, 'token') ?? ''}`);
    if (!caller || !roleAllows(caller.role, 'support')) {
      return signInPage(ctx, request, reply, { ...(next && { next }), problem: strings.text('signIn.refused') }, 401);
    }
    // Whatever id the browser came with is ended, never reused: a session id planted before sign-in stays worthless.
    const previous = sessionIdOf(request);
    if (previous) await ctx.sessions.destroy(previous);
    setSessionCookie(reply, request, await ctx.sessions.create(caller, ctx.clock.now()));
    return reply.redirect(next ?? '/console/', 303);
  });
}

function signOutRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/sign-out', async (request, reply) => {
    if (!request.consoleSession) return reply.redirect('/console/sign-in', 303);
    const strings = stringsFor(ctx.views, request);
    return sendPage(request, reply, ctx.views, 'sign-out', strings, { title: strings.text('signOut.title') });
  });

  app.post('/sign-out', { preHandler: app.csrfProtection }, async (request, reply) => {
    const id = sessionIdOf(request);
    if (id) await ctx.sessions.destroy(id);
    clearSessionCookie(reply, request);
    return reply.redirect('/console/sign-in?signedOut=1', 303);
  });
}
