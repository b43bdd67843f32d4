import type { Queue, Worker } from 'bullmq';
import { postWebhook, systemResolve } from '../http/post-webhook.ts';
import { WebhookDeliveries } from '../store/webhook-deliveries.ts';
import { WebhookEndpoints } from '../store/webhook-endpoints.ts';
import type { WebhookOutbox } from '../store/webhook-outbox.ts';
import { EndpointSlots } from '../store/webhook-slots.ts';
import type { WebhookAdminDeps } from '../webhooks/admin.ts';
import { deliverWebhook, type DeliverDeps, type DeliveryPolicy } from '../webhooks/deliver.ts';
import { relayOutbox, requeueOpen, type RelayDeps } from '../webhooks/relay.ts';
import type { Resolve, UrlPolicy } from '../webhook-rules/url-safety.ts';
import { openQueue } from '../../queues/connection.ts';
import {
  enqueueWebhookDeliveries,
  enqueueWebhookRetry,
  WEBHOOK_QUEUE,
  webhookWorker,
  type WebhookJob,
} from '../../queues/webhook.queue.ts';
import type { AppContext } from './context.ts';
import type { ApiPlugin } from '../api/server.ts';
import { webhookRoutes } from '../api/webhook-routes.ts';
import { startPoller, type Poller } from './poller.ts';

const HOUR = 3_600_000;
// A relay that died between creating deliveries and queueing them is noticed after this long.
const SWEEP_MS = 60_000;

/** The webhook parts of a process: repositories, the admin use cases' dependencies, the queue, and the sender. */
export interface Webhooks {
  outbox: WebhookOutbox;
  endpoints: WebhookEndpoints;
  deliveries: WebhookDeliveries;
  queue: Queue<WebhookJob>;
  admin: WebhookAdminDeps;
  deliverDeps: DeliverDeps;
  relayDeps: RelayDeps;
  /** The worker sending deliveries and the relay feeding it. */
  start(): { worker: Worker<WebhookJob>; relay: Poller };
  close(): Promise<void>;
}

export function createWebhooks(ctx: AppContext, options: { resolve?: Resolve } = {}): Webhooks {
  const db = ctx.db;
  const c = ctx.config;
  const endpoints = new WebhookEndpoints(db);
  const deliveries = new WebhookDeliveries(db);
  const outbox = ctx.outbox;
  const queue = openQueue<WebhookJob>(ctx.queueConnection, WEBHOOK_QUEUE);
  const resolve = options.resolve ?? systemResolve;
  const urlPolicy: UrlPolicy = { allowLoopback: c.WEBHOOK_ALLOW_LOOPBACK };
  const deliverDeps: DeliverDeps = {
    db,
    deliveries,
    endpoints,
    slots: new EndpointSlots(ctx.redis, ctx.keys),
    audit: ctx.audit,
    clock: ctx.clock,
    logger: ctx.logger,
    policy: deliveryPolicy(c),
    post: (url, headers, body) =>
      postWebhook(url, headers, body, { timeoutMs: c.WEBHOOK_TIMEOUT_MS, policy: urlPolicy, resolve }),
  };
  const relayDeps: RelayDeps = {
    outbox,
    deliveries,
    clock: ctx.clock,
    logger: ctx.logger,
    enqueue: (ids) => enqueueWebhookDeliveries(queue, ids),
  };
  const admin: WebhookAdminDeps = {
    endpoints,
    deliveries,
    resolve,
    policy: urlPolicy,
    audit: ctx.audit,
    clock: ctx.clock,
    enqueueRetry: (id, retry) => enqueueWebhookRetry(queue, id, retry),
  };
  return {
    outbox,
    endpoints,
    deliveries,
    queue,
    admin,
    deliverDeps,
    relayDeps,
    start: () => startSender(ctx, deliverDeps, relayDeps),
    close: () => queue.close(),
  };
}

function deliveryPolicy(c: AppContext['config']): DeliveryPolicy {
  return {
    schedule: { baseMs: c.WEBHOOK_BACKOFF_MS, maxMs: c.WEBHOOK_BACKOFF_MAX_MS, windowMs: c.WEBHOOK_RETRY_HOURS * HOUR },
    disableAfterMs: c.WEBHOOK_DISABLE_AFTER_HOURS * HOUR,
    endpointConcurrency: c.WEBHOOK_ENDPOINT_CONCURRENCY,
    slotTtlMs: c.WEBHOOK_TIMEOUT_MS + 5_000,
  };
}

/** The worker sending deliveries and the relay feeding it. */
function startSender(
  ctx: AppContext,
  deliverDeps: DeliverDeps,
  relayDeps: RelayDeps,
): { worker: Worker<WebhookJob>; relay: Poller } {
  const c = ctx.config;
  const worker = webhookWorker(
    ctx.queueConnection,
    (job) => deliverWebhook(deliverDeps, job.deliveryId, { manual: job.manual === true }),
    {
      schedule: deliverDeps.policy.schedule,
      concurrency: c.WEBHOOK_CONCURRENCY,
      lockDurationMs: c.WEBHOOK_TIMEOUT_MS + 5_000,
    },
  );
  worker.on('error', (error) => ctx.logger.warn({ queue: WEBHOOK_QUEUE, err: error.message }, 'worker error'));
  // The first round offers every open delivery again (a job lost with Redis's data); later rounds relay new events
  // and, once a minute, offer deliveries a dead relay created but never queued.
  let lastSweep: number | undefined;
  const relay = startPoller(
    'webhook relay',
    async () => {
      const now = Date.now();
      if (lastSweep === undefined) await requeueOpen(relayDeps);
      else if (now - lastSweep >= SWEEP_MS)
        await requeueOpen(relayDeps, new Date(ctx.clock.now().getTime() - SWEEP_MS));
      if (lastSweep === undefined || now - lastSweep >= SWEEP_MS) lastSweep = now;
      await relayOutbox(relayDeps);
    },
    c.WEBHOOK_RELAY_INTERVAL_MS,
    ctx.logger,
  );
  return { worker, relay };
}

/** The webhook administration routes of the API, with the queue their retries go to (closed with the API). */
export const webhookApiPlugin =
  (ctx: AppContext): ApiPlugin =>
  async (app) => {
    const webhooks = createWebhooks(ctx);
    app.addHook('onClose', () => webhooks.close());
    await webhookRoutes(webhooks.admin)(app);
  };
