import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every metric of the service, registered once per process. Names follow Prometheus conventions. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'license_courier_' });

export const eventsTotal = new Counter({
  name: 'license_courier_events_total',
  help: 'Fulfillment events by intake outcome (accepted, replayed, rejected, conflict).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const messagesTotal = new Counter({
  name: 'license_courier_messages_total',
  help: 'Send attempts by outcome (sent, retried, failed) and failure class.',
  labelNames: ['outcome', 'class'] as const,
  registers: [registry],
});

export const sendSeconds = new Histogram({
  name: 'license_courier_send_seconds',
  help: 'Time from handing a message to the transport to its acceptance.',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const renderSeconds = new Histogram({
  name: 'license_courier_render_seconds',
  help: 'Rendering time by document (email, certificate).',
  labelNames: ['document'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers: [registry],
});

export const activationsTotal = new Counter({
  name: 'license_courier_activation_requests_total',
  help: 'Activation requests by outcome.',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const imapConnected = new Gauge({
  name: 'license_courier_imap_connected',
  help: '1 while the activation mailbox watcher of this process is connected.',
  registers: [registry],
});

export const bouncesTotal = new Counter({
  name: 'license_courier_bounces_total',
  help: 'Delivery status notifications that marked a recipient bounced.',
  registers: [registry],
});

/** Runs `fn`, observing its duration in a histogram. */
export async function timed<T>(
  histogram: Histogram<string>,
  labels: Record<string, string>,
  fn: () => Promise<T> | T,
): Promise<T> {
  const end = histogram.startTimer(labels);
  try {
    return await fn();
  } finally {
    end();
  }
}

export const webhookAttemptsTotal = new Counter({
  name: 'license_courier_webhook_attempts_total',
  help: 'Webhook send attempts by endpoint and outcome (delivered, http-error, timeout, network-error, refused).',
  labelNames: ['endpoint', 'outcome'] as const,
  registers: [registry],
});

export const webhookDeliveriesFailedTotal = new Counter({
  name: 'license_courier_webhook_deliveries_failed_total',
  help: 'Webhook deliveries given up after the retry window, by endpoint.',
  labelNames: ['endpoint'] as const,
  registers: [registry],
});

export const webhookEndpointsDisabledTotal = new Counter({
  name: 'license_courier_webhook_endpoints_disabled_total',
  help: 'Webhook endpoints disabled after failing without a success for the disable period, by endpoint.',
  labelNames: ['endpoint'] as const,
  registers: [registry],
});

export const webhookSendSeconds = new Histogram({
  name: 'license_courier_webhook_send_seconds',
  help: 'Time from sending a webhook to its answer, by endpoint.',
  labelNames: ['endpoint'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const ordersUndeliverableTotal = new Counter({
  name: 'license_courier_orders_undeliverable_total',
  help: 'Fulfillments none of whose recipients could be reached (every delivery failed or bounced).',
  registers: [registry],
});
