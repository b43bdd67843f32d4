import type { Worker } from 'bullmq';
import { fanOut } from '../delivery/fan-out.ts';
import { issueFulfillmentKeys } from '../delivery/issue-fulfillment-keys.ts';
import { preparedFulfillments } from '../delivery/prepared-fulfillments.ts';
import { sendDelivery } from '../delivery/send-delivery.ts';
import { evictionPolicyProblem } from '../store/connection.ts';
import { fulfillmentWorker } from '../../queues/fulfillment.queue.ts';
import { enqueueSends, sendWorker } from '../../queues/send.queue.ts';
import { startBounceWatcher } from '../bounce/bounce-watcher.ts';
import { startActivation } from './activation.ts';
import type { AppContext } from './context.ts';
import { sendPolicy } from './send-policy.ts';
import { startReconciler } from './reconciler.ts';

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

export async function startWorkers(ctx: AppContext): Promise<RunningWorkers> {
  const problem = await evictionPolicyProblem(ctx.redis);
  if (problem) ctx.logger.warn({ problem }, problem);
  const policy = sendPolicy(ctx);
  const deps = {
    fulfillments: ctx.fulfillments,
    activations: ctx.activations,
    deliveries: ctx.deliveries,
    catalog: ctx.catalog,
    brand: ctx.config.brand,
    clock: ctx.clock,
    renderCertificate: ctx.renderCertificate,
  };
  const prepared = preparedFulfillments(deps);
  const fulfillment = fulfillmentWorker(ctx.queueConnection, (id) => fanOut({
    ...deps,
    timeZone: ctx.config.FULFILLMENT_TZ,
    issueFulfillmentKeys: (f, entitlements) => issueFulfillmentKeys(ctx.activations, ctx.catalog, ctx.signingKey, f, entitlements),
    enqueueSends: (ids) => enqueueSends(ctx.queues.send, ids, policy),
    rendered: prepared.prime,
  }, id), { now: () => ctx.clock.now() });
  const send = sendWorker(ctx.queueConnection, (id, attempt, max) => sendDelivery({
    deliveries: ctx.deliveries, prepared, clock: ctx.clock, emails: ctx.emails, transport: ctx.transport, mailFrom: ctx.config.MAIL_FROM, logger: ctx.logger,
  }, id, attempt, max), policy);

  const workers: Worker[] = [fulfillment, send];
  const activation = await startActivation(ctx);
  const bounces = await startBounceWatcher(ctx);
  for (const w of workers) {
    w.on('failed', (job, error) => ctx.logger.warn({ queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err: error.message }, 'job failed'));
    w.on('completed', (job, result) => ctx.logger.debug({ queue: w.name, jobId: job.id, result }, 'job done'));
    w.on('error', (error) => ctx.logger.warn({ queue: w.name, err: error.message }, 'worker error'));
  }
  const reconciler = startReconciler(ctx, ctx.config.RECONCILE_INTERVAL_MS);
  return {
    workers: activation ? [...workers, activation.worker] : workers,
    async close() {
      await reconciler.stop();
      await bounces?.stop();
      await activation?.stop();
      await closeWorkers(workers, ctx.config.SHUTDOWN_TIMEOUT_MS);
    },
  };
}

/** Stop taking jobs, let the ones in hand finish for up to `timeoutMs`, then force-close (their locks expire and another worker resumes them). */
export async function closeWorkers(workers: Worker[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceful = Promise.all(workers.map((w) => w.close()));
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
  const result = await Promise.race([graceful, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') await Promise.all(workers.map((w) => w.close(true)));
}
