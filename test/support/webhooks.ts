import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Worker } from 'bullmq';
import { buildApi } from '../../src/api/server.ts';
import { apiBackend } from '../../src/app/api.ts';
import { webhookRoutes } from '../../src/api/webhook-routes.ts';
import { createWebhooks, type Webhooks } from '../../src/app/webhooks.ts';
import type { Clock } from '../../src/clock.ts';
import { webhookEvent, type EventData, type EventType } from '../../src/webhook-rules/events.ts';
import type { Resolve } from '../../src/webhook-rules/url-safety.ts';
import type { WebhookJob } from '../../queues/webhook.queue.ts';
import type { Poller } from '../../src/app/poller.ts';
import { TEST_TOKENS } from './app.ts';
import type { Db } from '../../src/store/db.ts';
import { startPipeline, type TestPipeline } from './pipeline.ts';

export interface WebhookHarness {
  pipeline: TestPipeline;
  db: Db;
  databaseUrl: string;
  webhooks: Webhooks;
  api: FastifyInstance;
  sender?: { worker: Worker<WebhookJob>; relay: Poller };
  /** Records one event in its own transaction, as a state change would. Returns its webhook-id. */
  record<T extends EventType>(type: T, key: string, data: EventData<T>): Promise<string>;
  /** Registers an endpoint through the API as an admin; returns the answer's body. */
  register(url: string, eventTypes: string[], token?: string): Promise<{ id: string; secret: string }>;
  admin(method: 'GET' | 'POST' | 'DELETE', url: string, body?: object, token?: string): Promise<LightMyRequestResponse>;
  startSender(): void;
  close(): Promise<void>;
}

/**
 * Webhooks over a database of their own and the test's Redis prefix; the sender (worker and relay) starts on demand.
 */
export async function startWebhookHarness(
  env: Record<string, string>,
  options: { resolve?: Resolve; clock?: Clock; sender?: boolean } = {},
): Promise<WebhookHarness> {
  const pipeline = await startPipeline(
    { WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_BACKOFF_MS: '50', ...env },
    { workers: false, ...(options.clock && { clock: options.clock }) },
  );
  const db = pipeline.ctx.db;
  const webhooks = createWebhooks(pipeline.ctx, { ...(options.resolve && { resolve: options.resolve }) });
  const api = await buildApi(apiBackend(pipeline.ctx), [webhookRoutes(webhooks.admin)]);
  const admin: WebhookHarness['admin'] = (method, url, body, token = TEST_TOKENS.admin) =>
    api.inject({ method, url, ...(body && { payload: body }), headers: { authorization: `Bearer ${token}` } });
  const harness: WebhookHarness = {
    pipeline,
    db,
    databaseUrl: pipeline.env.DATABASE_URL!,
    webhooks,
    api,
    admin,
    async record(type, key, data) {
      const event = webhookEvent(type, key, data, pipeline.ctx.clock.now());
      await db.transaction((tx) => webhooks.outbox.record(tx, event));
      return event.id;
    },
    async register(url, eventTypes, token) {
      const res = await admin('POST', '/v1/webhooks', { url, eventTypes }, token);
      if (res.statusCode !== 201) throw new Error(`register ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    startSender() {
      harness.sender = webhooks.start();
    },
    async close() {
      await harness.sender?.relay.stop();
      await harness.sender?.worker.close(true);
      await webhooks.close();
      await api.close();
      await pipeline.close();
    },
  };
  if (options.sender) harness.startSender();
  return harness;
}

/** One event of each type of contract section 9, as the state changes of one order would record them. */
export const SAMPLE_EVENTS: { [T in EventType]: EventData<T> } = (() => {
  const lines = [
    { lineNumber: '10', ssrn: 'JN1000000001AB' },
    { lineNumber: '20', ssrn: 'JN1000000002AB' },
  ];
  const delivery = {
    orderNumber: '15563238',
    fulfillmentId: 'ful-1',
    deliveryId: 'dlv-1',
    kind: 'fulfillment' as const,
    recipient: 'buyer@example.com',
    lines,
  };
  const fulfillment = {
    orderNumber: '15563238',
    eventId: 'evt-1',
    fulfillmentId: 'ful-1',
    shipDate: '2026-12-07',
    lines,
    recipients: ['buyer@example.com'],
  };
  return {
    'fulfillment.accepted': fulfillment,
    'fulfillment.scheduled': { ...fulfillment, shipDate: '2027-01-15' },
    'delivery.sent': { ...delivery, messageId: '<dlv-1@courier.example>', smtpResponse: '250 2.0.0 OK' },
    'delivery.failed': { ...delivery, attempts: 10, error: '451 4.7.1 try later' },
    'delivery.bounced': {
      ...delivery,
      messageId: '<dlv-1@courier.example>',
      dsn: { status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' },
    },
    'activation.issued': {
      orderNumber: '15563238',
      lines: [lines[0]!],
      recipient: 'ops@example.com',
      devices: [{ device: 'JN0123456789', licenseId: 'JUNOS000001' }],
    },
    'activation.rejected': {
      orderNumber: null,
      lines: [],
      recipient: 'stranger@example.org',
      reason: 'unknown activation code',
    },
    'notice.sent': {
      orderNumber: '15563238',
      lines: [lines[1]!],
      recipient: 'buyer@example.com',
      notice: 'renewal-reminder-30',
      endDate: '2027-12-07',
    },
    'order.undeliverable': {
      orderNumber: '15563238',
      fulfillmentId: 'ful-1',
      lines,
      recipients: [
        { recipient: 'buyer@example.com', status: 'bounced', lastError: '5.1.1 smtp; 550 5.1.1 user unknown' },
      ],
    },
  };
})();
