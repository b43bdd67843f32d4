import { describe, expect, it } from 'vitest';
import {
  undeliverableNotice,
  unreachedRecipients,
  type RecipientDelivery,
} from '../../src/delivery-rules/undeliverable.ts';

const d = (
  recipient: string,
  status: RecipientDelivery['status'],
  createdAt: string,
  lastError: string | null = null,
): RecipientDelivery => ({ recipient, status, createdAt, lastError });

describe('undeliverable fulfillments', () => {
  it('is undeliverable only when every recipient failed or bounced', () => {
    expect(
      unreachedRecipients([
        d('a@x.example', 'bounced', '1', '5.1.1 user unknown'),
        d('b@x.example', 'failed', '1', '550 no such domain'),
      ]),
    ).toEqual([
      { recipient: 'a@x.example', status: 'bounced', lastError: '5.1.1 user unknown' },
      { recipient: 'b@x.example', status: 'failed', lastError: '550 no such domain' },
    ]);
    for (const other of ['sent', 'retrying', 'queued', 'scheduled'] as const) {
      expect(unreachedRecipients([d('a@x.example', 'bounced', '1'), d('b@x.example', other, '1')])).toBeUndefined();
    }
    expect(unreachedRecipients([])).toBeUndefined();
  });

  it('reads each recipient by its latest delivery: a resend that was accepted reaches them again', () => {
    expect(unreachedRecipients([d('a@x.example', 'bounced', '1'), d('A@x.example', 'sent', '2')])).toBeUndefined();
    expect(
      unreachedRecipients([d('a@x.example', 'sent', '1'), d('a@x.example', 'bounced', '2', '5.2.2 mailbox full')]),
    ).toEqual([{ recipient: 'a@x.example', status: 'bounced', lastError: '5.2.2 mailbox full' }]);
  });

  it('tells support the order and every recipient with its last error', () => {
    const notice = undeliverableNotice({
      orderNumber: '15563238',
      fulfillmentId: 'ful-1',
      brandName: 'License Courier',
      recipients: [
        { recipient: 'a@x.example', status: 'bounced', lastError: '5.1.1\nsmtp; 550 user unknown' },
        { recipient: 'b@x.example', status: 'failed', lastError: null },
      ],
    });
    expect(notice.subject).toBe('[License Courier] Order 15563238: no recipient could be reached');
    expect(notice.text).toContain('- a@x.example: bounced (5.1.1 smtp; 550 user unknown)');
    expect(notice.text).toContain('- b@x.example: failed\n');
    expect(notice.text).toContain('order 15563238 (fulfillment ful-1)');
  });
});
