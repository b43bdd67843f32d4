import { createHash } from 'node:crypto';
import type { FulfillmentDelivery } from '../email/fulfillment-message.ts';
import type { Contact } from '../model.ts';

// Delivery ids and Message-IDs derive from what they deliver, so a repeated fan-out or a resend after a crash
// produces the same id: BullMQ refuses a second job with it, and downstream systems can recognise the message.

function recipientTag(email: string): string {
  return createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 12);
}

export function deliveryId(scope: string, recipient: string): string {
  return `${scope}.${recipientTag(recipient)}`;
}

export function messageIdFor(deliveryId: string, mailFromAddress: string): string {
  return `<${deliveryId}@${mailFromAddress.split('@')[1] ?? 'localhost'}>`;
}

/** A fulfillment's delivery to one contact: the ids every fan-out derives again, and the recipient as stored. */
export function fulfillmentDelivery(
  fulfillmentId: string,
  contact: Contact,
  mailFromAddress: string,
): FulfillmentDelivery {
  const id = deliveryId(fulfillmentId, contact.email);
  return {
    id,
    recipient: contact.email.toLowerCase(),
    ...(contact.name && { recipientName: contact.name }),
    messageId: messageIdFor(id, mailFromAddress),
  };
}
