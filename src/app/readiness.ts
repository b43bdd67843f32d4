import type { AppContext } from './context.ts';
import { bounceKeys } from '../bounce/bounce-watcher.ts';
import { pingRedis } from '../store/connection.ts';
import { readWatcherState } from '../store/redis-watcher-state.ts';
import { pingDatabase } from '../store/stores.ts';

/** Why the service cannot do its work now; empty when ready. Each check is bounded so /readyz always answers. */
export async function readiness(ctx: AppContext): Promise<string[]> {
  const problems: string[] = [];
  const within = <T>(p: Promise<T>, ms: number) =>
    Promise.race([
      p,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
    ]);
  try {
    await within(pingDatabase(ctx.db), 2000);
  } catch (error) {
    problems.push(`database: ${(error as Error).message}`);
  }
  try {
    await within(pingRedis(ctx.redis), 2000);
  } catch (error) {
    problems.push(`redis: ${(error as Error).message}`);
  }
  try {
    await within(ctx.transport.verify(), 5000);
  } catch (error) {
    problems.push(`${ctx.transport.kind === 'smtp' ? 'smtp' : 'outbox'}: ${(error as Error).message}`);
  }
  const mailboxes = [
    ...(ctx.config.IMAP_URL
      ? [{ name: 'imap', watcher: 'the activation mailbox watcher', key: ctx.keys.imapState }]
      : []),
    ...(ctx.config.BOUNCE_IMAP_URL
      ? [{ name: 'bounce imap', watcher: 'the bounce mailbox watcher', key: bounceKeys(ctx.config.KEY_PREFIX).state }]
      : []),
  ];
  for (const m of mailboxes) {
    const state = await readWatcherState(ctx.redis, m.key, Date.now()).catch(() => undefined);
    if (state !== 'connected') problems.push(`${m.name}: ${m.watcher} is ${state ?? 'not running'}`);
  }
  return problems;
}
