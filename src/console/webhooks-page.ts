import type { FastifyInstance } from 'fastify';
import type { LocaleStrings } from '../locale/strings.ts';
import type { EndpointWithFailures } from '../webhooks/admin.ts';
import type { ConsoleContext } from './context.ts';
import { field } from './form.ts';
import { instantText } from './order-page.ts';
import { sendPage, stringsFor } from './scope.ts';

/** How much of a receiver's kept answer the overview shows: enough to recognise it, short enough to scan a list. */
const ANSWER_SHOWN = 200;

const excerpt = (text: string | null) =>
  text && text.length > ANSWER_SHOWN ? `${text.slice(0, ANSWER_SHOWN)}…` : (text ?? '');

/** One endpoint as the admins' page shows it: its settings, its health, its latest failed deliveries. */
function endpointModel(e: EndpointWithFailures, s: LocaleStrings) {
  return {
    id: e.id,
    url: e.url,
    eventTypes: e.eventTypes,
    description: e.description ?? '',
    disabled: Boolean(e.disabledAt),
    state: e.disabledAt
      ? s.text('webhooks.disabledSince', { at: instantText(e.disabledAt) })
      : s.text('webhooks.enabled'),
    disabledReason: e.disabledReason ?? '',
    failingSince: e.failingSince ? instantText(e.failingSince) : '',
    lastSuccess: e.lastSuccessAt ? instantText(e.lastSuccessAt) : s.text('webhooks.never'),
    created: `${instantText(e.createdAt)} · ${e.createdBy}`,
    failures: e.recentFailures.map((f) => ({
      eventType: f.eventType,
      orderNumber: f.orderNumber ?? '',
      status: s.text(`webhooks.status.${f.status}`),
      attempts: f.attempts,
      at: f.lastAttempt.at,
      atText: instantText(f.lastAttempt.at),
      result:
        f.lastAttempt.error ?? (f.lastAttempt.statusCode ? `HTTP ${f.lastAttempt.statusCode}` : f.lastAttempt.outcome),
      answer: excerpt(f.lastAttempt.response),
    })),
  };
}

/** Admins only: the webhook endpoints with their failures, and the form that enables a disabled one again. */
export function webhookPages(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/webhooks', { config: { access: 'admin' } }, async (request, reply) => {
    const s = stringsFor(ctx.views, request);
    const endpoints = await ctx.backend.webhooks();
    const enabled = endpoints.find((e) => e.id === field(request.query, 'enabled'));
    return sendPage(request, reply, ctx.views, 'webhooks', s, {
      title: s.text('webhooks.title'),
      ...(enabled && { notice: s.text('webhooks.enabledAgain', { url: enabled.url }) }),
      endpoints: endpoints.map((e) => endpointModel(e, s)),
    });
  });

  app.post(
    '/webhooks/:id/enable',
    { config: { access: 'admin' }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const id = (request.params as { id: string }).id;
      const endpoint = await ctx.backend.enableWebhook(id, request.consoleSession!.caller);
      return reply.redirect(`/console/webhooks?${new URLSearchParams({ enabled: endpoint.id })}#${endpoint.id}`, 303);
    },
  );
}
