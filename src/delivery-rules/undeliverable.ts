import type { DeliveryStatus } from '../model.ts';

/** One delivery of a fulfillment, as far as reaching its recipient goes. */
export interface RecipientDelivery {
  recipient: string;
  status: DeliveryStatus;
  lastError: string | null;
  createdAt: string;
}

export interface UnreachedRecipient {
  recipient: string;
  status: 'failed' | 'bounced';
  lastError: string | null;
}

/**
 * Whether no recipient of a fulfillment could be reached: every recipient's latest delivery (a resend to the same
 * address supersedes the first one) failed or bounced. Returns each recipient with its last error, or undefined while
 * some recipient has been reached or may still be.
 */
export function unreachedRecipients(deliveries: RecipientDelivery[]): UnreachedRecipient[] | undefined {
  const latest = new Map<string, RecipientDelivery>();
  for (const d of deliveries) {
    const key = d.recipient.toLowerCase();
    const seen = latest.get(key);
    if (!seen || seen.createdAt <= d.createdAt) latest.set(key, d);
  }
  const recipients = [...latest.values()];
  if (recipients.length === 0 || recipients.some((d) => d.status !== 'failed' && d.status !== 'bounced'))
    return undefined;
  return recipients
    .map((d) => ({ recipient: d.recipient, status: d.status as UnreachedRecipient['status'], lastError: d.lastError }))
    .sort((a, b) => a.recipient.localeCompare(b.recipient));
}

/** The message to SUPPORT_EMAIL: the order, the fulfillment, and each recipient's last error, in plain text. */
export function undeliverableNotice(input: {
  orderNumber: string;
  fulfillmentId: string;
  recipients: UnreachedRecipient[];
  brandName: string;
}): { subject: string; text: string } {
  const lines = input.recipients.map(
    (r) => `- ${r.recipient}: ${r.status}${r.lastError ? ` (${r.lastError.replace(/\s+/g, ' ')})` : ''}`,
  );
  return {
    subject: `[${input.brandName}] Order ${input.orderNumber}: no recipient could be reached`,
    text: [
      `No recipient of order ${input.orderNumber} (fulfillment ${input.fulfillmentId}) received the Fulfillment Email.`,
      '',
      'Last error per recipient:',
      ...lines,
      '',
      'Resend to a corrected address from the support console or with POST /v1/orders/{number}/resend.',
      '',
    ].join('\n'),
  };
}
