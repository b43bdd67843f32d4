import type { Worker } from 'bullmq';
import { handleActivationMessage, type Folder } from '../activation/handle-request.ts';
import { MailboxWatcher } from '../activation/mailbox-watcher.ts';
import { SenderThrottle } from '../store/redis-sender-throttle.ts';
import { publishWatcherState } from '../store/redis-watcher-state.ts';
import { activationWorker, enqueueActivation } from '../../queues/activation.queue.ts';
import { imapConnected } from '../ops/metrics.ts';
import type { AppContext } from './context.ts';

export interface RunningActivation {
  worker: Worker;
  stop(): Promise<void>;
}

/** The activation worker, and the mailbox watcher that feeds it; only where IMAP_URL is set. */
export async function startActivation(ctx: AppContext): Promise<RunningActivation | undefined> {
  const { config, redis, keys } = ctx;
  if (!config.IMAP_URL) return undefined;
  const throttle = new SenderThrottle(redis, keys.activationFailures, config.ACTIVATION_FAILURES_PER_HOUR);
  const worker = activationWorker(ctx.queueConnection, (job) => handleActivationMessage({
    entitlements: ctx.entitlements,
    orders: ctx.orders,
    activations: ctx.activations,
    catalog: ctx.catalog,
    brand: config.brand,
    clock: ctx.clock,
    timeZone: config.FULFILLMENT_TZ,
    audit: ctx.audit,
    transport: ctx.transport,
    mailFrom: config.MAIL_FROM,
    mailFromAddress: config.mailFromAddress,
    ownAddresses: [config.mailFromAddress, ...(config.activationAddress ? [config.activationAddress] : [])],
    signingKey: ctx.signingKey,
    throttle,
  }, job.uidValidity, job.uid));
  worker.on('failed', (job, error) => ctx.logger.warn({ queue: 'activation', jobId: job?.id, err: error.message }, 'activation job failed'));

  const state = publishWatcherState(redis, keys.imapState);
  const watcher = new MailboxWatcher({
    url: config.IMAP_URL,
    redis,
    keyPrefix: config.KEY_PREFIX,
    pollIntervalMs: config.IMAP_POLL_INTERVAL_MS,
    logger: ctx.logger.child({ component: 'imap' }),
    async onMessage(m) {
      await ctx.activations.receiveMessage(m.uidValidity, m.uid, m.source, ctx.clock.now());
      await enqueueActivation(ctx.queues.activation, { uidValidity: m.uidValidity, uid: m.uid, ...(m.messageId && { messageId: m.messageId }) });
    },
    fileOutcome: async (uid, uidValidity) => (await ctx.activations.folder(uidValidity, uid)) as Folder | undefined,
    onStateChange(next) {
      imapConnected.set(next === 'connected' ? 1 : 0);
      state.update(next);
    },
  });
  await watcher.start();
  return {
    worker,
    async stop() {
      await watcher.stop();
      await worker.close();
      await state.stop();
    },
  };
}
