import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import type { EmailRenderer } from '../email/render.ts';
import { DeliveryError } from '../errors.ts';
import { classifySmtpError } from '../mail/classify.ts';
import { certificateFileName, composeMessage, type Attachment } from '../mail/compose.ts';
import type { MailTransport } from '../mail/transport.ts';
import type { Logger } from '../app/logger.ts';
import type { Brand, FulfillmentDocument } from '../model.ts';
import { messagesTotal, renderSeconds, sendSeconds, timed } from '../ops/metrics.ts';
import type { DeliveryStore } from '../store/deliveries.ts';
import type { RecordStore } from '../store/records.ts';
import { keyAttachments } from './key-attachments.ts';
import { loadDocument } from './load-document.ts';

export interface SendDeps {
  records: RecordStore;
  deliveries: DeliveryStore;
  catalog: Catalog;
  brand: Brand;
  clock: Clock;
  emails: EmailRenderer;
  transport: MailTransport;
  mailFrom: string;
  renderCertificate(doc: FulfillmentDocument): Promise<Buffer>;
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

  const doc = await loadDocument(deps.records, deps.catalog, deps.brand, delivery.fulfillmentId, delivery.ssrns);
  if (!doc) return 'missing';
  const pdf = (await deps.records.certificate(delivery.fulfillmentId))
    ?? (await deps.records.saveCertificate(delivery.fulfillmentId, await deps.renderCertificate(await fullDocument(deps, delivery.fulfillmentId, doc))));
  // Every line about this delivery names it fully; the job id is the delivery id.
  const log = deps.logger.child({ order: delivery.orderNumber, eventId: doc.fulfillment.eventId, jobId: deliveryId, fulfillmentId: delivery.fulfillmentId, recipient: delivery.recipient, attempt });
  const recipient = { email: delivery.recipient, ...(delivery.recipientName && { name: delivery.recipientName }) };
  const rendered = await timed(renderSeconds, { document: 'email' }, () => deps.emails.render(doc, recipient));
  const attachments: Attachment[] = [
    { filename: certificateFileName(doc.fulfillment.certificateNumber), content: pdf, contentType: 'application/pdf' },
    ...doc.lines.flatMap((l) => keyAttachments(l.entitlement, l.keys)),
  ];
  const message = composeMessage({
    from: deps.mailFrom, to: recipient, subject: rendered.subject, html: rendered.html, text: rendered.text,
    messageId: delivery.messageId, attachments, deliveryId,
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
    await deps.deliveries.update(deliveryId, {
      status: final ? 'failed' : 'retrying', attempts: attempt, lastError: c.message,
      ...(final && { failedAt: deps.clock.now().toISOString() }),
    });
    messagesTotal.inc({ outcome: final ? 'failed' : 'retried', class: c.class });
    log.warn({ class: c.class, final, reason: c.message }, final ? 'delivery failed' : 'delivery will be retried');
    throw new DeliveryError(c.message, final, c.class);
  }
}

/** A resend of chosen lines still attaches the whole fulfillment's certificate: the same bytes as the first time. */
async function fullDocument(deps: SendDeps, fulfillmentId: string, doc: FulfillmentDocument): Promise<FulfillmentDocument> {
  return (await loadDocument(deps.records, deps.catalog, deps.brand, fulfillmentId)) ?? doc;
}
