import type { AppContext } from '../app/context.ts';

/** Why the service cannot do its work now; empty when ready. Each check is bounded so /readyz always answers. */
export async function readiness(ctx: AppContext): Promise<string[]> {
  const problems: string[] = [];
  const within = <T>(p: Promise<T>, ms: number) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
  try {
    await within(ctx.redis.ping(), 2000);
  } catch (error) {
    problems.push(`redis: ${(error as Error).message}`);
  }
  try {
    await within(ctx.transport.verify(), 5000);
  } catch (error) {
    problems.push(`${ctx.transport.kind === 'smtp' ? 'smtp' : 'outbox'}: ${(error as Error).message}`);
  }
  if (ctx.config.IMAP_URL) {
    const state = await ctx.redis.get(ctx.keys.imapState).catch(() => null);
    if (state !== 'connected') problems.push(`imap: the activation mailbox watcher is ${state ?? 'not running'}`);
  }
  return problems;
}
