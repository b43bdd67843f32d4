import type { Command } from 'commander';
import type { ServiceParts } from '../../app/service.ts';
import { action, EXIT } from '../run.ts';

async function serve(parts: ServiceParts): Promise<number | void> {
  const [{ createContext }, { startService, stopOnSignals }, { loadConfig }] = await Promise.all([
    import('../../app/context.ts'),
    import('../../app/service.ts'),
    import('../../config.ts'),
  ]);
  const config = loadConfig();
  // The embedded database belongs to one process: only `start`, with API and workers together, may use it.
  const embedded = parts.api && parts.workers;
  if (!config.DATABASE_URL && !embedded) {
    const command = parts.api ? 'api' : 'worker';
    process.stderr.write(
      `error: DATABASE_URL is required to run \`${command}\` as a separate process ` +
        '(the embedded database serves only `start`)\n',
    );
    return EXIT.badInput;
  }
  const ctx = await createContext(config, { embeddedDatabase: embedded });
  const service = await startService(ctx, parts);
  ctx.logger.info(
    {
      api: parts.api,
      workers: parts.workers,
      address: service.api?.server.address(),
      // Whether this runs what `npm run build` compiled, or the sources through tsx (bin/compiled.mjs decides).
      compiled: import.meta.url.endsWith('.js'),
    },
    'license-courier running',
  );
  stopOnSignals(service, ctx.logger);
  // The action stays pending: the process lives until a signal stops it.
  await new Promise(() => undefined);
}

export function register(program: Command): void {
  program
    .command('start')
    .description('run the API and all workers (production)')
    .action(action(() => serve({ api: true, workers: true })));
  program
    .command('worker')
    .description('run only the workers')
    .action(action(() => serve({ api: false, workers: true })));
  program
    .command('api')
    .description('run only the HTTP API')
    .action(action(() => serve({ api: true, workers: false })));
}
