import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  createEndpoint,
  enableEndpoint,
  endpointDeliveries,
  removeEndpoint,
  retryDelivery,
  type WebhookAdminDeps,
} from '../webhooks/admin.ts';
import { ROUTES, type RouteSpec } from './route-table.ts';
import type { ApiPlugin } from './server.ts';

type Params = { id: string; deliveryId: string };

/** The webhook administration routes, behind the same bearer-token check as every /v1 route (by their spec's role). */
export function webhookRoutes(admin: WebhookAdminDeps): ApiPlugin {
  return async (app) => {
    const route = (
      spec: RouteSpec,
      handler: (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => Promise<unknown>,
    ) => app.route<{ Params: Params }>({ method: spec.method, url: spec.url, config: { spec }, handler });
    const actor = (request: FastifyRequest) => request.caller!.name;

    route(ROUTES.createWebhook, async (request, reply) =>
      reply.code(201).send(await createEndpoint(admin, request.body, actor(request))),
    );
    route(ROUTES.listWebhooks, async () => ({ endpoints: await admin.endpoints.list() }));
    route(ROUTES.deleteWebhook, async (request, reply) => {
      await removeEndpoint(admin, request.params.id, actor(request));
      return reply.code(204).send();
    });
    route(ROUTES.enableWebhook, async (request) => enableEndpoint(admin, request.params.id, actor(request)));
    route(ROUTES.webhookDeliveries, async (request) => endpointDeliveries(admin, request.params.id, request.query));
    route(ROUTES.retryWebhookDelivery, async (request, reply) =>
      reply.code(202).send(await retryDelivery(admin, request.params.id, request.params.deliveryId, actor(request))),
    );
  };
}
