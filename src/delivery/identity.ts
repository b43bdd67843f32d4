import { createHash } from 'node:crypto';

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
