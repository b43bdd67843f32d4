import type { FastifyInstance } from 'fastify';
import { buildApi, type ApiPlugin } from '../api/server.ts';
import { opsPlugins } from '../ops/plugins.ts';
import { consoleApiPlugin } from './console.ts';
import type { AppContext } from './context.ts';
import { webhookApiPlugin } from './webhooks.ts';

/** Every route mounted beside the API: metrics, the queue dashboard, the console, self-service, webhook administration. */
export const servicePlugins: ApiPlugin[] = [...opsPlugins, consoleApiPlugin, webhookApiPlugin];

/** The HTTP API with every route, listening on API_HOST:API_PORT. */
export async function startApi(ctx: AppContext): Promise<FastifyInstance> {
  if (!ctx.config.API_TOKENS?.size) ctx.logger.warn('API_TOKENS is not set: every /v1 request will be refused');
  const api = await buildApi(ctx, servicePlugins);
  await api.listen({ host: ctx.config.API_HOST, port: ctx.config.API_PORT });
  return api;
}
