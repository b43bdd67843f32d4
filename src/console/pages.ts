import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpError } from '../api/errors.ts';
import { ENTITLEMENT_STATUSES, type EntitlementStatus } from '../entitlement/status.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { OrderView } from '../support/order-view.ts';
import { entitlementRow, instantText, noticesSection, orderPage, type ResendFormState } from './order-page.ts';
import { field, fields } from './form.ts';
import type { ConsoleContext } from './context.ts';
import { sendPage, stringsFor } from './scope.ts';

const ORDER_NUMBER = /^[A-Za-z0-9-]{1,32}$/;
const ACCOUNT_ID = /^[A-Za-z0-9]{1,20}$/;
const CURSOR = /^[A-Za-z0-9._:=-]{1,200}$/;
const PAGE_SIZE = 50;

function orderNumberOf(request: FastifyRequest): string {
  const number = (request.params as { number: string }).number;
  if (!ORDER_NUMBER.test(number)) throw new NotFoundError(`no sales order ${number}`);
  return number;
}

/** The resend form's addresses: ticked contacts and the free-text ones (one per line, or separated by commas). */
function resendForm(body: unknown): ResendFormState & { lines: string[]; to: string[] } {
  const other = field(body, 'other') ?? '';
  const typed = other
    .split(/[\s,;]+/)
    .map((a) => a.trim())
    .filter(Boolean);
  return {
    lines: fields(body, 'lines'),
    to: [...new Set([...fields(body, 'to'), ...typed])],
    other,
    reason: field(body, 'reason') ?? '',
    // A form without one (sent by hand) is a new request each time, as it was before forms carried one.
    key: field(body, 'idempotencyKey') || randomUUID(),
  };
}

type Problem = { message: string; issues: Array<{ path: string; message: string }> };

/**
 * Search, order, resend, certificate, audit log and account pages: each a view over the backend the console declares.
 */
export function consolePages(app: FastifyInstance, ctx: ConsoleContext): void {
  searchRoutes(app, ctx);
  orderRoutes(app, ctx);
  auditRoute(app, ctx);
  accountRoute(app, ctx);
}

async function renderOrder(
  ctx: ConsoleContext,
  request: FastifyRequest,
  reply: FastifyReply,
  number: string,
  form?: ResendFormState,
  problem?: Problem,
  status = 200,
) {
  const [view, notices] = await Promise.all([ctx.backend.order(number), ctx.backend.notices(number)]);
  if (!view) throw new NotFoundError(`no sales order ${number}`);
  const s = stringsFor(ctx.views, request);
  const resent = Number(field(request.query, 'resent'));
  const replayed = Number(field(request.query, 'replayed'));
  return sendPage(
    request,
    reply,
    ctx.views,
    'order',
    s,
    {
      title: s.text('order.title', { number }),
      ...(resent > 0 && { notice: s.text('resend.done', { count: resent }) }),
      ...(replayed > 0 && { notice: s.text('resend.replayed', { count: replayed }) }),
      ...(problem && { problem: problem.message, issues: problem.issues }),
      // Each page shown gets a new key; a form shown again with its problems keeps the key it was sent with.
      ...orderPage(view, ctx.backend.today(), s, form ?? { key: randomUUID() }),
      notices: noticesSection(notices, s),
    },
    status,
  );
}

function searchRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/', { config: { access: 'support' } }, async (request, reply) => {
    const s = stringsFor(ctx.views, request);
    return sendPage(request, reply, ctx.views, 'search', s, { title: s.text('search.title') });
  });

  app.get('/search', { config: { access: 'support' } }, async (request, reply) => {
    const s = stringsFor(ctx.views, request);
    const term = (field(request.query, 'q') ?? '').trim();
    if (!term || term.length > 254) {
      return sendPage(
        request,
        reply,
        ctx.views,
        'search',
        s,
        {
          title: s.text('search.title'),
          problem: s.text('error.invalid'),
          issues: [{ path: s.text('search.label'), message: '1–254' }],
        },
        400,
      );
    }
    const hits = await ctx.backend.search(term);
    const only = hits.length === 1 ? hits[0]! : undefined;
    if (only)
      return reply.redirect(
        only.kind === 'order' ? `/console/orders/${only.orderNumber}` : `/console/accounts/${only.accountId}`,
        303,
      );
    return sendPage(request, reply, ctx.views, 'search', s, {
      title: s.text('search.results', { term }),
      term,
      searched: true,
      hits: hits.map((h) =>
        h.kind === 'order' ? { orderNumber: h.orderNumber, via: s.text(`via.${h.via}`) } : { accountId: h.accountId },
      ),
    });
  });
}

function orderRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/orders/:number', { config: { access: 'support' } }, async (request, reply) =>
    renderOrder(ctx, request, reply, orderNumberOf(request)),
  );

  app.post(
    '/orders/:number/resend',
    { config: { access: 'support' }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const number = orderNumberOf(request);
      const form = resendForm(request.body);
      const view = await ctx.backend.order(number);
      if (!view) throw new NotFoundError(`no sales order ${number}`);
      try {
        const result = await resendFromForm(ctx, request, number, view, form);
        const outcome = result.replayed ? 'replayed' : 'resent';
        return reply.redirect(`/console/orders/${number}?${outcome}=${result.deliveries}#deliveries`, 303);
      } catch (error) {
        const status = httpError(error);
        if (status.status >= 500) throw error;
        return renderOrder(
          ctx,
          request,
          reply,
          number,
          form,
          { message: status.body.error, issues: status.body.issues },
          status.status,
        );
      }
    },
  );

  app.get('/orders/:number/certificate.pdf', { config: { access: 'support' } }, async (request, reply) => {
    const number = orderNumberOf(request);
    const certificate = await ctx.backend.certificate(number);
    if (!certificate) throw new NotFoundError(`order ${number} has no delivered certificate`);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${certificate.fileName}"`)
      .header('cache-control', 'no-store')
      .send(certificate.pdf);
  });
}

/** Checks the resend form and resends; a form that picks nothing is refused with the fields named. */
async function resendFromForm(
  ctx: ConsoleContext,
  request: FastifyRequest,
  number: string,
  view: OrderView,
  form: ReturnType<typeof resendForm>,
) {
  const s = stringsFor(ctx.views, request);
  const issues = [
    ...(form.lines.length ? [] : [{ path: s.text('resend.lines'), message: s.text('resend.pickLine') }]),
    ...(form.to.length ? [] : [{ path: s.text('resend.to'), message: s.text('resend.pickRecipient') }]),
  ];
  if (issues.length) throw new InvalidInputError(s.text('error.invalid'), issues);
  // Every line and every contact is the API's default: the email then lists all lines, and contacts keep their names.
  const allLines = view.entitlements.every((e) => form.lines.includes(e.lineNumber));
  const contacts = view.order.contacts.map((c) => c.email.toLowerCase());
  const toContacts = form.to.length === contacts.length && form.to.every((a) => contacts.includes(a.toLowerCase()));
  return ctx.backend.resend(
    number,
    {
      ...(!allLines && { lines: form.lines }),
      ...(!toContacts && { to: form.to }),
      reason: form.reason ?? '',
    },
    request.consoleSession!.caller,
    form.key,
  );
}

function auditRoute(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/audit', { config: { access: 'admin' } }, async (request, reply) => {
    const s = stringsFor(ctx.views, request);
    const order = field(request.query, 'order')?.trim() || undefined;
    const before = field(request.query, 'before');
    if ((order && !ORDER_NUMBER.test(order)) || (before && !/^[1-9]\d{0,14}$/.test(before)))
      throw new InvalidInputError('invalid audit query');
    const { entries, next } = await ctx.backend.audit({
      ...(order && { order }),
      ...(before && { before: Number(before) }),
      limit: PAGE_SIZE,
    });
    return sendPage(request, reply, ctx.views, 'audit', s, {
      title: s.text('audit.title'),
      order: order ?? '',
      entries: entries.map((e) => ({ ...e, atText: instantText(e.at), detail: JSON.stringify(e.detail ?? {}) })),
      ...(next && { next: new URLSearchParams({ ...(order && { order }), before: String(next) }).toString() }),
    });
  });
}

function accountRoute(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/accounts/:id', { config: { access: 'support' } }, async (request, reply) => {
    const s = stringsFor(ctx.views, request);
    const accountId = (request.params as { id: string }).id;
    if (!ACCOUNT_ID.test(accountId)) throw new NotFoundError(`no account ${accountId}`);
    const status = field(request.query, 'status') || undefined;
    const product = field(request.query, 'product') || undefined;
    const cursor = field(request.query, 'cursor') || undefined;
    const products = ctx.backend.products();
    if (
      (status && !ENTITLEMENT_STATUSES.includes(status as EntitlementStatus)) ||
      (product && !products.some((p) => p.key === product)) ||
      (cursor && !CURSOR.test(cursor))
    ) {
      throw new InvalidInputError('invalid account filter');
    }
    const today = ctx.backend.today();
    const page = await ctx.backend.accountEntitlements(accountId, {
      ...(status && { status: status as EntitlementStatus }),
      ...(product && { product }),
      ...(cursor && { cursor }),
      limit: PAGE_SIZE,
    });
    return sendPage(request, reply, ctx.views, 'account', s, {
      title: s.text('account.title', { id: accountId }),
      accountId,
      statuses: ENTITLEMENT_STATUSES.map((value) => ({
        value,
        label: s.text(`status.${value}`),
        selected: value === status,
      })),
      products: products.map((p) => ({ value: p.key, label: p.name, selected: p.key === product })),
      entitlements: page.entitlements.map((a) => ({
        ...entitlementRow(a.entitlement, today, s),
        orderNumber: a.entitlement.orderNumber,
        deliveries: s.text('account.deliverySummary', a.deliveries),
        activations: a.activations,
      })),
      ...(page.next && {
        next: new URLSearchParams({
          ...(status && { status }),
          ...(product && { product }),
          cursor: page.next,
        }).toString(),
      }),
    });
  });
}
