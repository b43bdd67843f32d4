import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { authenticate, roleAllows } from './auth.ts';

export const ADMIN_LOGIN_PATH = '/admin/login';
const COOKIE = 'lc_admin_token';

/** The admin token from the dashboard cookie, as a bearer header value; undefined when there is none. */
export function adminCookieBearer(request: FastifyRequest): string | undefined {
  if (!request.url.startsWith('/admin/')) return undefined;
  const match = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(request.headers.cookie ?? '');
  return match ? `Bearer ${decodeURIComponent(match[1]!)}` : undefined;
}

const FORM = `<!doctype html><meta charset="utf-8"><title>license-courier admin</title>
<form method="post" action="${ADMIN_LOGIN_PATH}" style="font-family:sans-serif;max-width:24em;margin:4em auto">
<h1>Queue dashboard</h1><label>Admin token <input name="token" type="password" autocomplete="off" style="width:100%"></label>
<p><button>Sign in</button></p></form>`;

/**
 * Browsers cannot send a bearer header with the dashboard's page loads, so an admin signs in once here: the token is
 * checked and kept in an HttpOnly, SameSite=Strict cookie that only /admin/ paths read. Never in a URL, never logged.
 */
export async function adminLoginPlugin(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Its own plugin scope: the form parser must not make the JSON API accept form bodies.
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    scope.get(ADMIN_LOGIN_PATH, async (_request, reply) => reply.type('text/html').send(FORM));
    scope.post(ADMIN_LOGIN_PATH, async (request, reply) => {
    const token = (request.body as { token?: string } | undefined)?.token ?? '';
    const caller = authenticate(ctx.config.API_TOKENS, `Bearer ${token}`);
    if (!caller || !roleAllows(caller.role, 'admin')) return reply.code(401).type('text/html').send(FORM.replace('<h1>', '<p>That is not an admin token.</p><h1>'));
    const secure = request.protocol === 'https' ? '; Secure' : '';
    return reply
      .header('set-cookie', `${COOKIE}=${encodeURIComponent(token)}; Path=/admin/; HttpOnly; SameSite=Strict; Max-Age=28800${secure}`)
      .redirect('/admin/queues');
    });
  });
}
