import { userInfo } from 'node:os';
import { createContext, type AppContext } from '../app/context.ts';
import { loadConfig } from '../config.ts';
import type { Caller } from '../api/auth.ts';
import { createLogger } from '../logger.ts';

/** Runs a command with a context built from the environment, closing connections afterwards. */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Short commands keep stdout for their answer; only warnings and errors go to stderr.
  const ctx = await createContext(config, { logger: createLogger('warn', process.stderr), embeddedDatabase: true });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** Whoever runs the CLI has the store's credentials already: an operator, audited by login name. */
export function cliCaller(): Caller {
  return { name: `cli:${userInfo().username}`, role: 'admin' };
}
