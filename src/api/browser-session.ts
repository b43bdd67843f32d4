import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../config.ts';
import type { Caller } from './auth.ts';

/** One session cookie for every browser page behind a sign-in: the console and the queue dashboard. */
export const SESSION_COOKIE = 'lc_session';

/** Where a browser signs in; `next` (a path of the console or the dashboard) is where it goes afterwards. */
export const SIGN_IN_PATH = '/console/sign-in';

/** What the edges need of the session store (src/store/sessions.ts implements it). */
export interface BrowserSessions {
  create(caller: Caller, now: Date): Promise<string>;
  read(id: string, now: Date): Promise<{ name: string; role: Role } | undefined>;
  destroy(id: string): Promise<void>;
}

/**
 * HTTPS as the browser sees it: a TLS socket, or `X-Forwarded-Proto: https` from a proxy that TRUST_PROXY names
 * (Fastify reads that header only from such a proxy).
 */
export const cameOverHttps = (request: FastifyRequest) => request.protocol === 'https';

export function cookieOptions(request: FastifyRequest) {
  return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: cameOverHttps(request) };
}

export const sessionIdOf = (request: FastifyRequest): string | undefined => request.cookies[SESSION_COOKIE];

/**
 * The caller of a browser's session. A session outlives no token: when its caller is no longer configured (token
 * removed or its role changed), the session counts as ended.
 */
export async function sessionCaller(
  sessions: BrowserSessions,
  tokens: ReadonlyMap<string, Caller> | undefined,
  request: FastifyRequest,
  now: Date,
): Promise<{ id: string; caller: Caller } | undefined> {
  const id = sessionIdOf(request);
  const session = id ? await sessions.read(id, now) : undefined;
  if (!id || !session) return undefined;
  const configured = [...(tokens?.values() ?? [])].some((c) => c.name === session.name && c.role === session.role);
  return configured ? { id, caller: { name: session.name, role: session.role } } : undefined;
}

export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, id: string): void {
  reply.setCookie(SESSION_COOKIE, id, cookieOptions(request));
}

export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
}

/**
 * A `next` target after sign-in: only the console's and the dashboard's own paths, so no one can redirect
 * elsewhere.
 */
export function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' &&
    /^\/(?:console|admin\/queues)(?:\/[A-Za-z0-9._~%/-]*)?$/.test(next) &&
    !next.includes('//') &&
    !next.includes('..')
    ? next
    : undefined;
}
