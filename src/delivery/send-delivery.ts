import type { Clock } from '../clock.ts';
import type { EmailRenderer } from '../email/render.ts';
import { DeliveryError } from '../errors.ts';
import { classifySmtpError } from '../mail/classify.ts';
import { fulfillmentMessage } from '../email/fulfillment-message.ts';
import { composeMessage } from '../mail/compose.ts';
import type { MailTransport } from '../mail/transport.ts';
import type { Logger } from '../logger.ts';
import { messagesTotal, renderSeconds, sendSeconds, timed } from '../metrics.ts';
import type { DeliveryRecord, DeliveryStore } from '../store/deliveries.ts';
import type { PreparedFulfillments } from './prepared-fulfillments.ts';
import { webhookEvent } from '../webhook-rules/events.ts';
import {
  deliveryEventData,
  noteIfUndeliverable,
  reportUndeliverable,
  type Undeliverable,
  type UndeliverableDeps,
} from './note-undeliverable.ts';
import type { AuditEntry } from '../store/audit.ts';

export interface SendDeps {
  deliveries: DeliveryStore;
  /** The fulfillment's document and encoded attachments, shared by its recipients. */
  prepared: Pick<PreparedFulfillments, 'get'>;
  clock: Clock;
  emails: EmailRenderer;
  transport: MailTransport;
  mailFrom: string;
  logger: Logger;
  /** Webhook events and the undeliverable check, written in the transaction of the delivery's new state. */
  events: UndeliverableDeps;
  audit: { record(entry: AuditEntry): Promise<void> };
}

export type SendOutcome = 'sent' | 'already-sent' | 'already-failed' | 'missing';

/**
 * Sends one delivery. `attempt` is 1-based; on the last allowed attempt a retryable failure becomes final.
 * Throws DeliveryError (permanent or not) so the queue decides about retries on a type, not on text.
 */
export async function sendDelivery(
  deps: SendDeps,
  deliveryId: string,
  attempt: number,
  maxAttempts: number,
): Promise<SendOutcome> {
  const delivery = await deps.deliveries.get(deliveryId);
  if (!delivery) return 'missing';
  if (delivery.acceptedAt) {
    // Accepted by SMTP in an earlier attempt that crashed before finishing: never send it again.
    if (delivery.status !== 'sent' && delivery.status !== 'bounced')
      await deps.deliveries.update(deliveryId, { status: 'sent' });
    return 'already-sent';
  }
  if (delivery.status === 'failed') return 'already-failed';

  const prepared = await deps.prepared.get(delivery.fulfillmentId, delivery.ssrns);
  if (!prepared) return 'missing';
  const { doc } = prepared;
  // Every line about this delivery names it fully; the job id is the delivery id.
  const log = deps.logger.child({
    order: delivery.orderNumber,
    eventId: doc.fulfillment.eventId,
    jobId: deliveryId,
    fulfillmentId: delivery.fulfillmentId,
    recipient: delivery.recipient,
    attempt,
  });
  const attachments = prepared.parts.map((raw) => ({ raw }));
  const message = composeMessage(
    await timed(renderSeconds, { document: 'email' }, () =>
      fulfillmentMessage(deps.emails, doc, delivery, deps.mailFrom, attachments),
    ),
  );

  const lines = doc.lines.map((l) => ({ lineNumber: l.entitlement.lineNumber, ssrn: l.entitlement.ssrn }));
  // Built before sending: nothing about the event may fail between the server's 250 and recording it.
  const sentEvent = webhookEvent(
    'delivery.sent',
    deliveryId,
    { ...deliveryEventData(delivery, lines), messageId: delivery.messageId },
    deps.clock.now(),
  );
  try {
    const info = await timed(sendSeconds, {}, () => deps.transport.send(message));
    const at = deps.clock.now();
    await deps.deliveries.markAccepted(deliveryId, at, delivery.messageId, info.response, attempt, [sentEvent]);
    messagesTotal.inc({ outcome: 'sent', class: 'none' });
    log.info({ messageId: delivery.messageId, response: info.response }, 'message accepted');
    return 'sent';
  } catch (error) {
    const c = classifySmtpError(error);
    const final = !c.retry || attempt >= maxAttempts;
    await recordFailedAttempt(deps, delivery, lines, attempt, final, c.message);
    messagesTotal.inc({ outcome: final ? 'failed' : 'retried', class: c.class });
    log.warn({ class: c.class, final, reason: c.message }, final ? 'delivery failed' : 'delivery will be retried');
    throw new DeliveryError(c.message, final, c.class);
  }
}

/**
 * Records a failed attempt; a final one also writes delivery.failed and the undeliverable check in its transaction,
 * and reports the fulfillment if that made it undeliverable.
 */
async function recordFailedAttempt(
  deps: SendDeps,
  delivery: DeliveryRecord,
  lines: Array<{ lineNumber: string; ssrn: string }>,
  attempt: number,
  final: boolean,
  reason: string,
): Promise<void> {
  const at = deps.clock.now();
  let undeliverable: Undeliverable | undefined;
  await deps.deliveries.markFailedAttempt(
    delivery.id,
    at,
    attempt,
    final,
    reason,
    final
      ? async (tx) => {
          await deps.events.outbox.record(
            tx,
            webhookEvent(
              'delivery.failed',
              delivery.id,
              { ...deliveryEventData(delivery, lines), attempts: attempt, error: reason.slice(0, 1000) },
              at,
            ),
          );
          undeliverable = await noteIfUndeliverable(deps.events, tx, delivery.fulfillmentId, at);
        }
      : undefined,
  );
  if (undeliverable) await reportUndeliverable({ audit: deps.audit, logger: deps.logger }, undeliverable);
}
