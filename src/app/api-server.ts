import type { FastifyInstance } from 'fastify';
import { buildApi, type ApiPlugin } from '../api/server.ts';
import { opsPlugins } from '../ops/plugins.ts';
import { apiBackend } from './api.ts';
import { consoleApiPlugin } from './console.ts';
import type { AppContext } from './context.ts';
import { webhookApiPlugin } from './webhooks.ts';

/** Every route mounted beside the API: metrics, the queue dashboard, the console, self-service, webhooks. */
export const servicePlugins = (ctx: AppContext): ApiPlugin[] => [
  ...opsPlugins(Object.values(ctx.queues)),
  consoleApiPlugin(ctx),
  webhookApiPlugin(ctx),
];

/** The HTTP API with every route, listening on API_HOST:API_PORT. */
export async function startApi(ctx: AppContext): Promise<FastifyInstance> {
  if (!ctx.config.API_TOKENS?.size) ctx.logger.warn('API_TOKENS is not set: every /v1 request will be refused');
  const api = await buildApi(apiBackend(ctx), servicePlugins(ctx));
  await api.listen({ host: ctx.config.API_HOST, port: ctx.config.API_PORT });
  return api;
}
