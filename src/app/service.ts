import type { FastifyInstance } from 'fastify';
import { activationAddressWarning } from '../catalog/catalog.ts';
import type { AppContext } from './context.ts';
import type { DocumentRenderers, RunningWorkers } from './workers.ts';

export interface ServiceParts {
  api: boolean;
  workers: boolean;
  /** What the workers render documents with; made by the workers when not given (a benchmark gives its own). */
  renderers?: DocumentRenderers;
}

export interface RunningService {
  api?: FastifyInstance;
  workers?: RunningWorkers;
  /** Graceful stop: no new requests or jobs, jobs in hand finish (bounded), connections closed. */
  stop(): Promise<void>;
}

/**
 * Starts the parts asked for. Each part's modules load only in a process that runs it: a worker process holds no HTTP
 * server, console or queue dashboard.
 */
export async function startService(ctx: AppContext, parts: ServiceParts): Promise<RunningService> {
  const activationWarning = activationAddressWarning(ctx.catalog, ctx.config.activationAddress);
  if (activationWarning) ctx.logger.warn(activationWarning);
  const workers = parts.workers ? await (await import('./workers.ts')).startWorkers(ctx, parts.renderers) : undefined;
  const api = parts.api ? await (await import('./api-server.ts')).startApi(ctx) : undefined;
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
