import type { FastifyInstance } from 'fastify';
import { activationAddressWarning } from '../catalog/catalog.ts';
import { buildApi, type ApiPlugin } from '../api/server.ts';
import { opsPlugins } from '../ops/plugins.ts';
import { apiBackend } from './api.ts';
import { consoleApiPlugin } from './console.ts';
import { webhookApiPlugin } from './webhooks.ts';
import type { AppContext } from './context.ts';
import { startWorkers, type RunningWorkers } from './workers.ts';

export interface ServiceParts {
  api: boolean;
  workers: boolean;
}

export interface RunningService {
  api?: FastifyInstance;
  workers?: RunningWorkers;
  /** Graceful stop: no new requests or jobs, jobs in hand finish (bounded), connections closed. */
  stop(): Promise<void>;
}

/** Every route mounted beside the API: metrics, the queue dashboard, the console, self-service, webhook administration. */
export const servicePlugins = (ctx: AppContext): ApiPlugin[] => [
  ...opsPlugins(Object.values(ctx.queues)),
  consoleApiPlugin(ctx),
  webhookApiPlugin(ctx),
];

export async function startService(
  ctx: AppContext,
  parts: ServiceParts,
  plugins: (ctx: AppContext) => ApiPlugin[] = servicePlugins,
): Promise<RunningService> {
  const activationWarning = activationAddressWarning(ctx.catalog, ctx.config.activationAddress);
  if (activationWarning) ctx.logger.warn(activationWarning);
  const workers = parts.workers ? await startWorkers(ctx) : undefined;
  let api: FastifyInstance | undefined;
  if (parts.api) {
    if (!ctx.config.API_TOKENS?.size) ctx.logger.warn('API_TOKENS is not set: every /v1 request will be refused');
    api = await buildApi(apiBackend(ctx), plugins(ctx));
    await api.listen({ host: ctx.config.API_HOST, port: ctx.config.API_PORT });
  }
  return {
    ...(api && { api }),
    ...(workers && { workers }),
    async stop() {
      await api?.close();
      await workers?.close();
      await ctx.close();
    },
  };
}

/** Stops on SIGTERM or SIGINT and exits 0; a second signal exits at once. */
export function stopOnSignals(service: RunningService, logger: AppContext['logger']): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping: finishing jobs in hand');
    service.stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error({ err: error.message }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
