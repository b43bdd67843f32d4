import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Handlebars from 'handlebars';
import { TEMPLATES_DIR } from '../project-files.ts';
import { preferredLocale } from '../locale/accept-language.ts';
import { loadLocaleStrings } from '../locale/strings.ts';
import type { Brand } from '../model.ts';
import { MAX_TOKEN_LENGTH } from '../notices/unsubscribe-token.ts';
import { ROUTES, type RouteSpec } from './route-table.ts';

/** What the unsubscribe pages need: read a token, and opt its address out. Both answer undefined for a bad token. */
export interface UnsubscribeService {
  addressOf(token: string): Promise<string | undefined>;
  optOut(token: string): Promise<string | undefined>;
}

/**
 * The longest path parameter the API must accept: an unsubscribe token, which holds the address (up to 254
 * characters). Fastify's default (100) would answer 414 to anyone with an address of 60 characters or more.
 */
export const MAX_PARAM_LENGTH = MAX_TOKEN_LENGTH;

interface PageView {
  lang: string;
  brand: string;
  title: string;
  message: string;
  button?: string;
}

// The token is in the URL: no referrer carries it to another site, no cache or index keeps the page.
const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

const route = (spec: RouteSpec) => ({ method: spec.method, url: spec.url, config: { spec } });

/**
 * `GET /unsubscribe/{token}`: a page with one button (a GET never opts out: mail scanners follow links).
 * `POST /unsubscribe/{token}`: the RFC 8058 one-click opt-out, from a mail client or the page's button. It carries
 * no cookie or credential, and its body (`List-Unsubscribe=One-Click`, form-encoded or multipart) is read by no one:
 * the signed token is the authority.
 */
export async function unsubscribeRoutes(
  app: FastifyInstance,
  service: UnsubscribeService,
  brand: Brand,
): Promise<void> {
  const locales = loadLocaleStrings(join(TEMPLATES_DIR, 'locales'));
  const supported = ['en', 'de', 'ja'];
  const page = Handlebars.compile<PageView>(readFileSync(join(TEMPLATES_DIR, 'pages/unsubscribe.hbs'), 'utf8'), {
    strict: true,
    knownHelpersOnly: true,
  });
  const answer = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    key: string,
    email: string | undefined,
    button: boolean,
  ) => {
    const s = locales.for(preferredLocale(request.headers['accept-language'], supported));
    const view: PageView = {
      lang: s.text('lang'),
      brand: brand.name,
      title: s.text('unsubscribe.title'),
      message: s.text(key, { email, support: brand.supportEmail }),
      ...(button && { button: s.text('unsubscribe.button') }),
    };
    return reply.code(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(page(view));
  };
  await app.register(async (scope) => {
    // One-click clients post form data; nothing else in this scope reads a body, so every type is accepted, unparsed.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 4096 }, (_request, _body, done) =>
      done(null, undefined),
    );
    scope.route({
      ...route(ROUTES.unsubscribePage),
      handler: async (request, reply) => {
        const email = await service.addressOf((request.params as { token: string }).token);
        return email
          ? answer(request, reply, 200, 'unsubscribe.question', email, true)
          : answer(request, reply, 400, 'unsubscribe.invalid', undefined, false);
      },
    });
    scope.route({
      ...route(ROUTES.unsubscribe),
      handler: async (request, reply) => {
        const email = await service.optOut((request.params as { token: string }).token);
        return email
          ? answer(request, reply, 200, 'unsubscribe.done', email, false)
          : answer(request, reply, 400, 'unsubscribe.invalid', undefined, false);
      },
    });
  });
}
