import type { Clock } from '../clock.ts';
import type { EmailRenderer } from '../email/render.ts';
import { DeliveryError } from '../errors.ts';
import { classifySmtpError } from '../mail/classify.ts';
import { composeMessage } from '../mail/compose.ts';
import type { MailTransport } from '../mail/transport.ts';
import type { Logger } from '../app/logger.ts';
import { messagesTotal, renderSeconds, sendSeconds, timed } from '../ops/metrics.ts';
import type { DeliveryStore } from '../store/deliveries.ts';
import type { PreparedFulfillments } from './prepared-fulfillments.ts';

export interface SendDeps {
  deliveries: DeliveryStore;
  /** The fulfillment's document and encoded attachments, shared by its recipients. */
  prepared: Pick<PreparedFulfillments, 'get'>;
  clock: Clock;
  emails: EmailRenderer;
  transport: MailTransport;
  mailFrom: string;
  logger: Logger;
}

export type SendOutcome = 'sent' | 'already-sent' | 'already-failed' | 'missing';

/**
 * Sends one delivery. `attempt` is 1-based; on the last allowed attempt a retryable failure becomes final.
 * Throws DeliveryError (permanent or not) so the queue decides about retries on a type, not on text.
 */
export async function sendDelivery(deps: SendDeps, deliveryId: string, attempt: number, maxAttempts: number): Promise<SendOutcome> {
  const delivery = await deps.deliveries.get(deliveryId);
  if (!delivery) return 'missing';
  if (delivery.acceptedAt) {
    // Accepted by SMTP in an earlier attempt that crashed before finishing: never send it again.
    if (delivery.status !== 'sent' && delivery.status !== 'bounced') await deps.deliveries.update(deliveryId, { status: 'sent' });
    return 'already-sent';
  }
  if (delivery.status === 'failed') return 'already-failed';

  const prepared = await deps.prepared.get(delivery.fulfillmentId, delivery.ssrns);
  if (!prepared) return 'missing';
  const { doc } = prepared;
  // Every line about this delivery names it fully; the job id is the delivery id.
  const log = deps.logger.child({ order: delivery.orderNumber, eventId: doc.fulfillment.eventId, jobId: deliveryId, fulfillmentId: delivery.fulfillmentId, recipient: delivery.recipient, attempt });
  const recipient = { email: delivery.recipient, ...(delivery.recipientName && { name: delivery.recipientName }) };
  const rendered = await timed(renderSeconds, { document: 'email' }, () => deps.emails.render(doc, recipient));
  const message = composeMessage({
    from: deps.mailFrom, to: recipient, subject: rendered.subject, html: rendered.html, text: rendered.text,
    messageId: delivery.messageId, attachments: prepared.parts.map((raw) => ({ raw })), deliveryId,
  });

  try {
    const info = await timed(sendSeconds, {}, () => deps.transport.send(message));
    await deps.deliveries.markAccepted(deliveryId, deps.clock.now(), delivery.messageId, info.response, attempt);
    messagesTotal.inc({ outcome: 'sent', class: 'none' });
    log.info({ messageId: delivery.messageId, response: info.response }, 'message accepted');
    return 'sent';
  } catch (error) {
    const c = classifySmtpError(error);
    const final = !c.retry || attempt >= maxAttempts;
    await deps.deliveries.markFailedAttempt(deliveryId, deps.clock.now(), attempt, final, c.message);
    messagesTotal.inc({ outcome: final ? 'failed' : 'retried', class: c.class });
    log.warn({ class: c.class, final, reason: c.message }, final ? 'delivery failed' : 'delivery will be retried');
    throw new DeliveryError(c.message, final, c.class);
  }
}
