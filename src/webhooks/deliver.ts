import type { Logger } from '../logger.ts';
import type { Clock } from '../clock.ts';
import { DeliveryError } from '../errors.ts';
import type { PostResult } from '../http/post-webhook.ts';
import {
  webhookAttemptsTotal,
  webhookDeliveriesFailedTotal,
  webhookEndpointsDisabledTotal,
  webhookSendSeconds,
} from '../metrics.ts';
import type { AuditEntry } from '../store/audit.ts';
import type { Db, Queryable } from '../store/db.ts';
import type { DeliveryToSend, WebhookDeliveries, WebhookDeliveryStatus } from '../store/webhook-deliveries.ts';
import type { WebhookEndpoints } from '../store/webhook-endpoints.ts';
import type { EndpointSlots } from '../store/webhook-slots.ts';
import { retriesExhausted, type RetrySchedule } from './retry-schedule.ts';
import { signedHeaders } from './signing.ts';

export interface DeliveryPolicy {
  schedule: RetrySchedule;
  /** An endpoint failing without a success for this long is disabled. */
  disableAfterMs: number;
  /** Sends in flight to one endpoint, across all workers. */
  endpointConcurrency: number;
  /** How long a send may hold its endpoint's slot: longer than the request timeout. */
  slotTtlMs: number;
}

export interface DeliverDeps {
  db: Pick<Db, 'transaction'>;
  deliveries: Pick<WebhookDeliveries, 'toSend' | 'recordAttempt' | 'markFailed'>;
  endpoints: Pick<WebhookEndpoints, 'recordSuccess' | 'recordFailure' | 'disable'>;
  slots: Pick<EndpointSlots, 'acquire' | 'release'>;
  /** POSTs a body to a URL with the URL checks, the pinned address and the timeout (http/post-webhook.ts). */
  post(url: string, headers: Record<string, string>, body: string): Promise<PostResult>;
  audit: { record(entry: AuditEntry, tx?: Queryable): Promise<void> };
  clock: Clock;
  logger: Logger;
  policy: DeliveryPolicy;
}

/** busy: the endpoint has its share of sends in flight; try again shortly, this was no attempt. */
export type DeliverOutcome = 'delivered' | 'failed' | 'busy' | 'missing' | 'already-final' | 'endpoint-disabled';

/**
 * Sends one delivery (one event to one endpoint) once, signed, and records the attempt with the endpoint's health in
 * one transaction. A failure throws DeliveryError, permanent once the delivery has been retried for the whole retry
 * window, so the queue retries on a type. A manual retry (`manual`) is a single attempt: its failure is returned, not
 * thrown, and leaves the delivery's own status as it was.
 */
export async function deliverWebhook(
  deps: DeliverDeps,
  deliveryId: string,
  options: { manual: boolean },
): Promise<DeliverOutcome> {
  const d = await deps.deliveries.toSend(deliveryId);
  if (!d) return 'missing';
  if (d.endpointDisabledAt) {
    await deps.deliveries.markFailed(deliveryId, 'endpoint disabled');
    return 'endpoint-disabled';
  }
  if (!options.manual && (d.status === 'delivered' || d.status === 'failed')) return 'already-final';
  const { policy } = deps;
  if (!(await deps.slots.acquire(d.endpointId, deliveryId, policy.endpointConcurrency, policy.slotTtlMs)))
    return 'busy';
  const log = deps.logger.child({
    webhookDelivery: deliveryId,
    endpoint: d.endpointId,
    webhookId: d.eventId,
    eventType: d.eventType,
  });
  let result: PostResult;
  const at = deps.clock.now();
  try {
    result = await deps.post(d.url, signedHeaders(d.secret, d.eventId, at, d.body), d.body);
  } finally {
    await deps.slots.release(d.endpointId, deliveryId);
  }
  webhookAttemptsTotal.inc({ endpoint: d.endpointId, outcome: result.outcome });
  if (result.statusCode !== undefined) webhookSendSeconds.observe({ endpoint: d.endpointId }, result.durationMs / 1000);

  const delivered = result.outcome === 'delivered';
  const final = !delivered && !options.manual && retriesExhausted(policy.schedule, new Date(d.createdAt), at);
  const status: WebhookDeliveryStatus = delivered
    ? 'delivered'
    : options.manual
      ? d.status
      : final
        ? 'failed'
        : 'retrying';
  const disabled = await recordAttempt(deps, d, result, { at, status, manual: options.manual });
  if (disabled) {
    webhookEndpointsDisabledTotal.inc({ endpoint: d.endpointId });
    log.error({ failingSince: disabled.failingSince }, 'webhook endpoint disabled');
  }
  if (delivered) {
    log.debug({ status: result.statusCode, ms: result.durationMs }, 'webhook delivered');
    return 'delivered';
  }
  if (final) webhookDeliveriesFailedTotal.inc({ endpoint: d.endpointId });
  log.warn(
    { outcome: result.outcome, status: result.statusCode, reason: result.error, final },
    final ? 'webhook delivery failed' : 'webhook delivery will be retried',
  );
  if (options.manual) return 'failed';
  throw new DeliveryError(result.error ?? result.outcome, final || Boolean(disabled), result.outcome);
}

/**
 * Records the attempt and the endpoint's health in one transaction; disables an endpoint failing for too long.
 * Returns why it was disabled, when it was.
 */
async function recordAttempt(
  deps: DeliverDeps,
  d: DeliveryToSend,
  result: PostResult,
  attempt: { at: Date; status: WebhookDeliveryStatus; manual: boolean },
): Promise<{ failingSince: string; reason: string } | undefined> {
  const { at } = attempt;
  return deps.db.transaction(async (tx) => {
    const recorded = await deps.deliveries.recordAttempt(tx, d.id, {
      status: attempt.status,
      at: at.toISOString(),
      durationMs: result.durationMs,
      outcome: result.outcome,
      statusCode: result.statusCode ?? null,
      response: result.body ?? null,
      error: result.error ?? null,
      manual: attempt.manual,
    });
    if (recorded === undefined) return undefined;
    if (result.outcome === 'delivered') {
      await deps.endpoints.recordSuccess(tx, d.endpointId, at);
      return undefined;
    }
    const failingSince = await deps.endpoints.recordFailure(tx, d.endpointId, at);
    if (!failingSince || at.getTime() - new Date(failingSince).getTime() < deps.policy.disableAfterMs) return undefined;
    const reason = `no successful delivery since ${failingSince}`;
    if (!(await deps.endpoints.disable(tx, d.endpointId, at, reason))) return undefined;
    // In the transaction that disables it: whoever sees the endpoint disabled also finds the audit line saying why.
    await deps.audit.record(
      {
        actor: 'webhooks',
        action: 'webhook.endpoint.disable',
        outcome: 'disabled',
        detail: { endpointId: d.endpointId, url: d.url, failingSince, lastError: result.error ?? null },
      },
      tx,
    );
    return { failingSince, reason };
  });
}
