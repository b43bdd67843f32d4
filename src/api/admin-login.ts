import type { FastifyInstance } from 'fastify';
import { SIGN_IN_PATH } from './browser-session.ts';

const ADMIN_LOGIN_PATH = '/admin/login';
const ADMIN_LOGOUT_PATH = '/admin/logout';

/** The /admin/ paths anyone may request: they only lead to the console's sign-in and sign-out. */
export const ADMIN_PATHS = [ADMIN_LOGIN_PATH, ADMIN_LOGOUT_PATH];

/**
 * The queue dashboard has no sign-in of its own: an admin signs in to the console, whose server-side session the
 * dashboard's routes accept (api/server.ts), and signs out there, which ends the session for both.
 */
export function adminLoginPlugin(app: FastifyInstance): void {
  app.get(ADMIN_LOGIN_PATH, async (_request, reply) =>
    reply.redirect(`${SIGN_IN_PATH}?next=${encodeURIComponent('/admin/queues')}`, 303),
  );
  app.get(ADMIN_LOGOUT_PATH, async (_request, reply) => reply.redirect('/console/sign-out', 303));
}
