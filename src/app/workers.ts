import type { Worker } from 'bullmq';
import { fanOut, type FanOutDeps } from '../delivery/fan-out.ts';
import { issueFulfillmentKeys } from '../delivery/issue-fulfillment-keys.ts';
import {
  preparedFulfillments,
  type PrepareDeps,
  type PreparedFulfillments,
} from '../delivery/prepared-fulfillments.ts';
import { sendDelivery } from '../delivery/send-delivery.ts';
import { renderCertificate } from '../certificate/render.ts';
import { createEmailRenderer, type EmailRenderer } from '../email/render.ts';
import type { FulfillmentDocument } from '../model.ts';
import { renderSeconds, timed } from '../metrics.ts';
import { evictionPolicyProblem } from '../store/connection.ts';
import { fulfillmentWorker } from '../../queues/fulfillment.queue.ts';
import { enqueueSends, sendWorker, type SendPolicy } from '../../queues/send.queue.ts';
import type { AppContext } from './context.ts';
import { sendPolicy } from './send-policy.ts';
import { startReconciler } from './reconciler.ts';
import { noticeSender, noticeToday, sweepNow } from './notices.ts';
import { noticeSweepWorker, requestSweep, scheduleDailySweep } from '../../queues/notice-sweep.queue.ts';
import { notifySupport } from '../delivery/note-undeliverable.ts';
import { startPoller, type Poller } from './poller.ts';
import { createWebhooks } from './webhooks.ts';

// How soon support hears of an undeliverable order.
const SUPPORT_NOTICE_INTERVAL_MS = 5_000;

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

/** The Fulfillment Email and the certificate: what only a worker renders, so only a worker compiles and loads them. */
export interface DocumentRenderers {
  emails: EmailRenderer;
  renderCertificate(doc: FulfillmentDocument): Promise<Buffer>;
}

export async function documentRenderers(): Promise<DocumentRenderers> {
  return {
    emails: await createEmailRenderer(),
    renderCertificate: (doc) => timed(renderSeconds, { document: 'certificate' }, () => renderCertificate(doc)),
  };
}

export async function startWorkers(ctx: AppContext, given?: DocumentRenderers): Promise<RunningWorkers> {
  const problem = await evictionPolicyProblem(ctx.redis);
  if (problem) ctx.logger.warn({ problem }, problem);
  const renderers = given ?? (await documentRenderers());
  const policy = sendPolicy(ctx);
  const deps = documentDeps(ctx, renderers);
  const prepared = preparedFulfillments(deps, { maxBytes: ctx.config.PREPARED_CACHE_MB * 1048576, ttlMs: 10 * 60_000 });
  const fulfillment = startFanOut(ctx, deps, prepared, policy);
  const send = startSends(ctx, renderers.emails, prepared, policy);
  const sweep = startNoticeSweep(ctx);
  const webhooks = createWebhooks(ctx);
  const sender = webhooks.start();
  const supportNotices = startSupportNotices(ctx);

  const workers: Worker[] = [fulfillment, send, sweep, sender.worker];
  // The mailbox watchers (imapflow, mailparser) load only where a mailbox is set.
  const activation = ctx.config.IMAP_URL ? await (await import('./activation.ts')).startActivation(ctx) : undefined;
  const bounces = ctx.config.BOUNCE_IMAP_URL
    ? await (await import('../bounce/bounce-watcher.ts')).startBounceWatcher(ctx)
    : undefined;
  logJobs(ctx, workers);
  const reconciler = startReconciler(ctx, ctx.config.RECONCILE_INTERVAL_MS);
  await scheduleDailySweep(ctx.queues.noticeSweep, ctx.config.FULFILLMENT_TZ);
  await requestSweep(ctx.queues.noticeSweep, `start-${noticeToday(ctx)}-${process.pid}-${Date.now()}`);
  return {
    workers: activation ? [...workers, activation.worker] : workers,
    async close() {
      await reconciler.stop();
      await sender.relay.stop();
      await supportNotices.stop();
      await bounces?.stop();
      await activation?.stop();
      await closeWorkers(workers, ctx.config.SHUTDOWN_TIMEOUT_MS);
      await webhooks.close();
    },
  };
}

/** What both the fan-out and the sends' prepared fulfillments load documents and render certificates with. */
type DocumentDeps = PrepareDeps & Pick<FanOutDeps, 'clock'>;

function documentDeps(ctx: AppContext, renderers: DocumentRenderers): DocumentDeps {
  return {
    fulfillments: ctx.fulfillments,
    activations: ctx.activations,
    catalog: ctx.catalog,
    brand: ctx.config.brand,
    clock: ctx.clock,
    renderCertificate: renderers.renderCertificate,
  };
}

/** Fans out due fulfillments, handing each certificate it renders to this process's sends. */
function startFanOut(ctx: AppContext, deps: DocumentDeps, prepared: PreparedFulfillments, policy: SendPolicy): Worker {
  return fulfillmentWorker(
    ctx.queueConnection,
    (id) =>
      fanOut(
        {
          ...deps,
          timeZone: ctx.config.FULFILLMENT_TZ,
          issueFulfillmentKeys: (f, entitlements) =>
            issueFulfillmentKeys(ctx.activations, ctx.catalog, ctx.signingKey, f, entitlements),
          enqueueSends: (ids) => enqueueSends(ctx.queues.send, ids, policy),
          rendered: prepared.prime,
        },
        id,
      ),
    { now: () => ctx.clock.now() },
  );
}

/** Sends one message per job: a fulfillment email to one recipient, or a notice. */
function startSends(
  ctx: AppContext,
  emails: EmailRenderer,
  prepared: PreparedFulfillments,
  policy: SendPolicy,
): Worker {
  const sendNotice = noticeSender(ctx);
  return sendWorker(
    ctx.queueConnection,
    (id, attempt, max, kind) =>
      kind === 'notice'
        ? sendNotice(id, attempt, max)
        : sendDelivery(
            {
              deliveries: ctx.deliveries,
              prepared,
              clock: ctx.clock,
              emails,
              transport: ctx.transport,
              mailFrom: ctx.config.MAIL_FROM,
              logger: ctx.logger,
              events: ctx,
              audit: ctx.audit,
            },
            id,
            attempt,
            max,
          ),
    policy,
  );
}

function startNoticeSweep(ctx: AppContext): Worker {
  // The job keeps a summary: a day's plan can list tens of thousands of messages.
  return noticeSweepWorker(ctx.queueConnection, async (job) => {
    const { date, window, recorded, queued } = await sweepNow(ctx, job.date, { dryRun: false });
    return { date, window, recorded, queued };
  });
}

/** Tells support of undeliverable orders, every few seconds. */
function startSupportNotices(ctx: AppContext): Poller {
  return startPoller(
    'support notices',
    () =>
      notifySupport({
        db: ctx.db,
        undeliverable: ctx.undeliverable,
        transport: ctx.transport,
        mailFrom: ctx.config.MAIL_FROM,
        mailFromAddress: ctx.config.mailFromAddress,
        supportEmail: ctx.config.SUPPORT_EMAIL,
        brandName: ctx.config.BRAND_NAME,
        clock: ctx.clock,
      }),
    SUPPORT_NOTICE_INTERVAL_MS,
    ctx.logger,
  );
}

/** Failed jobs and worker errors in the log, finished jobs at debug level. */
function logJobs(ctx: AppContext, workers: Worker[]): void {
  for (const w of workers) {
    w.on('failed', (job, error) =>
      ctx.logger.warn({ queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err: error.message }, 'job failed'),
    );
    w.on('completed', (job, result) => ctx.logger.debug({ queue: w.name, jobId: job.id, result }, 'job done'));
    w.on('error', (error) => ctx.logger.warn({ queue: w.name, err: error.message }, 'worker error'));
  }
}

/**
 * Stop taking jobs, let the ones in hand finish for up to `timeoutMs`, then force-close (their locks expire and another
 * worker resumes them).
 */
export async function closeWorkers(workers: Worker[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceful = Promise.all(workers.map((w) => w.close()));
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const result = await Promise.race([graceful, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') await Promise.all(workers.map((w) => w.close(true)));
}
