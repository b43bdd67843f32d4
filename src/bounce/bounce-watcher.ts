import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { MailboxWatcher, type MailboxMessage } from '../mailbox/mailbox-watcher.ts';
import { FiledMessages } from '../store/redis-filed-messages.ts';
import { publishWatcherState } from '../store/redis-watcher-state.ts';
import { applyBounce, type BounceDeps } from './apply-bounce.ts';
import { parseDsn } from './parse-dsn.ts';

/** Keys of the bounce mailbox, apart from the activation mailbox's: its own UID position, lock and filing decisions. */
export function bounceKeys(keyPrefix: string) {
  const base = `${keyPrefix}:bounce`;
  return {
    watcherPrefix: base,
    /** The bounce mailbox watchers' connection states, one field per process (watcher-state.ts). */
    state: `${base}:imap:watchers`,
  };
}

/** What the bounce watcher needs: its settings, Redis for the mailbox lease and position, and applyBounce's stores. */
export interface BounceWatcherDeps extends BounceDeps {
  config: Pick<Config, 'BOUNCE_IMAP_URL' | 'KEY_PREFIX' | 'IMAP_POLL_INTERVAL_MS'>;
  redis: Redis;
}

/**
 * Watches BOUNCE_IMAP_URL for delivery status notifications and marks the deliveries they are about as bounced.
 * A DSN that was applied (or only reports a delay) is filed in Processed; everything else, including a DSN about a
 * message that is not ours, stays in the inbox untouched for a person to read.
 */
export async function startBounceWatcher(deps: BounceWatcherDeps): Promise<{ stop(): Promise<void> } | undefined> {
  const { config, redis, logger } = deps;
  if (!config.BOUNCE_IMAP_URL) return undefined;
  const keys = bounceKeys(config.KEY_PREFIX);
  const log = logger.child({ component: 'bounce' });
  const state = publishWatcherState(redis, keys.state);
  const filed = new FiledMessages(redis, keys.watcherPrefix);

  async function onMessage(m: MailboxMessage): Promise<void> {
    const report = await parseDsn(m.source);
    if (!report) {
      log.debug({ uid: m.uid }, 'not a delivery status notification: left in the mailbox');
      return;
    }
    const outcome = await applyBounce(deps, report);
    log.info({ uid: m.uid, outcome, originalMessageId: report.originalMessageId }, 'delivery status notification');
    if (outcome !== 'unknown-message') await filed.set(m.uidValidity, m.uid, 'Processed');
  }

  const watcher = new MailboxWatcher({
    url: config.BOUNCE_IMAP_URL,
    redis,
    keyPrefix: keys.watcherPrefix,
    pollIntervalMs: config.IMAP_POLL_INTERVAL_MS,
    logger: log,
    onMessage,
    onStateChange(next) {
      log.debug({ state: next }, 'bounce mailbox');
      state.update(next);
    },
    fileOutcome: async (uid, uidValidity) => (await filed.get(uidValidity, uid)) as 'Processed' | undefined,
  });
  await watcher.start();
  return {
    async stop() {
      await watcher.stop();
      await state.stop();
    },
  };
}
