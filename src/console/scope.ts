import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../api/auth.ts';
import { cookieOptions } from '../api/browser-session.ts';
import type { LocaleStrings } from '../locale/strings.ts';
import type { ConsoleViews, PageFrame } from './views.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in browser's session, when there is one (console/plugin.ts). */
    consoleSession: { id: string; caller: Caller } | null;
  }
}

/** Which console routes need a session, and of which role (route config `access`). */
export type Access = 'public' | 'support' | 'admin';

/**
 * CSRF tokens are bound to the session they were made for (`userInfo`), with a key every API process derives alike
 * from the configured tokens: a page rendered by one process posts to another. Without tokens nobody can sign in,
 * and a random key does.
 */
export function csrfHmacKey(tokens: ReadonlyMap<string, Caller> | undefined): string {
  const material = tokens?.size ? [...tokens.keys()].sort().join('\n') : randomBytes(32).toString('hex');
  return createHash('sha256').update(`license-courier console csrf\n${material}`).digest('hex');
}

/** What CSRF tokens are bound to: the session, or (before sign-in) no session, which the library needs named. */
export const csrfUserInfo = (request: FastifyRequest) => request.consoleSession?.id ?? 'signed-out';

/** The strings of the language the browser asks for (Accept-Language). */
export function stringsFor(views: ConsoleViews, request: FastifyRequest): LocaleStrings {
  return views.strings(request.headers['accept-language']);
}

/** What a page's layout needs from the request: a fresh CSRF token, the session's caller, a title. */
function frame(
  request: FastifyRequest,
  reply: FastifyReply,
  strings: LocaleStrings,
  title: string,
  section = strings.text('console'),
): PageFrame {
  const caller = request.consoleSession?.caller;
  return {
    title,
    section,
    csrf: reply.generateCsrf({ ...cookieOptions(request), userInfo: csrfUserInfo(request) }),
    ...(caller && { session: { name: caller.name, role: caller.role, admin: caller.role === 'admin' } }),
  };
}

/** A page's own part: its title, its section when it is not the console's, and what its template shows. */
export type PageContent = { title: string; section?: string } & Record<string, unknown>;

/** Sends `page` in `strings`, inside the frame every page has. */
export function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  views: ConsoleViews,
  page: string,
  strings: LocaleStrings,
  content: PageContent,
  status = 200,
) {
  const { title, section, ...data } = content;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(views.render(page, strings, { ...frame(request, reply, strings, title, section), ...data }));
}
