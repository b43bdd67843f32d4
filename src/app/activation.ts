import type { Worker } from 'bullmq';
import { fileUnanswered, handleActivationMessage, type ActivationDeps } from '../activation/handle-request.ts';
import type { FilingFolder } from '../mailbox/file-messages.ts';
import { MailboxWatcher } from '../mailbox/mailbox-watcher.ts';
import { publishWatcherState } from '../store/redis-watcher-state.ts';
import { activationWorker, enqueueActivation } from '../../queues/activation.queue.ts';
import { trustedVerdict, verifySender } from '../inbound/sender-auth.ts';
import { imapConnected } from '../metrics.ts';
import { ActivationLimits } from '../store/activation-limits.ts';
import type { AppContext } from './context.ts';

export interface RunningActivation {
  worker: Worker;
  stop(): Promise<void>;
}

/** The activation worker, and the mailbox watcher that feeds it; only where IMAP_URL is set. */
export async function startActivation(ctx: AppContext): Promise<RunningActivation | undefined> {
  const { config, redis, keys } = ctx;
  if (!config.IMAP_URL) return undefined;
  const deps = activationDeps(ctx);
  const worker = activationWorker(ctx.queueConnection, (job) =>
    handleActivationMessage(deps, job.uidValidity, job.uid),
  );
  worker.on('failed', (job, error) => {
    ctx.logger.warn({ queue: 'activation', jobId: job?.id, err: error.message }, 'activation job failed');
    // The last attempt (or an unrecoverable error) ends the message unanswered: it must not stay in INBOX.
    if (job && (error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1))) {
      void fileUnanswered(ctx.activations, job.data.uidValidity, job.data.uid).catch((e: Error) =>
        ctx.logger.warn({ jobId: job.id, err: e.message }, 'filing a failed activation failed'),
      );
    }
  });

  const state = publishWatcherState(redis, keys.imapState);
  const watcher = new MailboxWatcher({
    url: config.IMAP_URL,
    redis,
    keyPrefix: config.KEY_PREFIX,
    pollIntervalMs: config.IMAP_POLL_INTERVAL_MS,
    logger: ctx.logger.child({ component: 'imap' }),
    async onMessage(m) {
      await ctx.activations.receiveMessage(m.uidValidity, m.uid, m.source, ctx.clock.now());
      await enqueueActivation(ctx.queues.activation, {
        uidValidity: m.uidValidity,
        uid: m.uid,
        ...(m.messageId && { messageId: m.messageId }),
      });
    },
    fileOutcome: async (uid, uidValidity) =>
      (await ctx.activations.folder(uidValidity, uid)) as FilingFolder | undefined,
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

function activationDeps(ctx: AppContext): ActivationDeps {
  const { config, redis, keys } = ctx;
  const limits = new ActivationLimits(redis, keys, {
    failuresPerSenderPerHour: config.ACTIVATION_FAILURES_PER_HOUR,
    answersPerContactPerHour: config.ACTIVATION_ANSWERS_PER_CONTACT_PER_HOUR,
    answersPerCodePerHour: config.ACTIVATION_ANSWERS_PER_CODE_PER_HOUR,
  });
  const authservId = config.ACTIVATION_TRUSTED_AUTHSERV_ID;
  return {
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
    limits,
    verifySender: authservId
      ? async (_raw, mail, domain) => trustedVerdict(mail.headerLines, authservId, domain)
      : (raw) => verifySender(raw),
    requireDmarc: config.ACTIVATION_REQUIRE_DMARC,
  };
}
