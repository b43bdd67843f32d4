import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, webhookEvent } from '../../src/webhook-rules/events.ts';
import { retriesExhausted, retryDelayMs } from '../../src/webhooks/retry-schedule.ts';
import { newSecret, signedHeaders } from '../../src/webhooks/signing.ts';

const at = new Date('2026-12-07T10:00:00Z');
const lines = [{ lineNumber: '10', ssrn: 'JN1234567890AB' }];

describe('webhook events', () => {
  it('names the nine event types of contract section 9', () => {
    expect(EVENT_TYPES.sort()).toEqual([
      'activation.issued',
      'activation.rejected',
      'delivery.bounced',
      'delivery.failed',
      'delivery.sent',
      'fulfillment.accepted',
      'fulfillment.scheduled',
      'notice.sent',
      'order.undeliverable',
    ]);
  });

  it('carries order, lines, recipient and time in the Standard Webhooks shape', () => {
    const event = webhookEvent(
      'delivery.sent',
      'dlv-1',
      {
        orderNumber: '15563238',
        fulfillmentId: 'f1',
        deliveryId: 'dlv-1',
        kind: 'fulfillment',
        recipient: 'buyer@example.com',
        lines,
        messageId: '<dlv-1@courier.example>',
        smtpResponse: '250 OK',
      },
      at,
    );
    expect(JSON.parse(event.body)).toEqual({
      type: 'delivery.sent',
      timestamp: '2026-12-07T10:00:00.000Z',
      data: expect.objectContaining({ orderNumber: '15563238', recipient: 'buyer@example.com', lines }),
    });
    expect(event.orderNumber).toBe('15563238');
    expect(event.id).toMatch(/^msg_[A-Za-z0-9_-]{24}$/);
  });

  it('gives the same state change the same id, and different changes different ids', () => {
    const data = {
      orderNumber: '1',
      fulfillmentId: 'f1',
      lines,
      recipients: [{ recipient: 'a@example.com', status: 'bounced' as const, lastError: '5.1.1' }],
    };
    expect(webhookEvent('order.undeliverable', 'f1', data, at).id).toBe(
      webhookEvent('order.undeliverable', 'f1', data, new Date()).id,
    );
    expect(webhookEvent('order.undeliverable', 'f2', data, at).id).not.toBe(
      webhookEvent('order.undeliverable', 'f1', data, at).id,
    );
  });

  it('refuses any field it does not list: a license key, an activation code or certificate bytes cannot slip in', () => {
    const base = {
      orderNumber: '1',
      lines,
      recipient: 'a@example.com',
      devices: [{ device: 'JN0123456789', licenseId: 'LID1' }],
    };
    expect(() => webhookEvent('activation.issued', 'k', base, at)).not.toThrow();
    for (const extra of [
      { key: 'LID1-AAAA-BBBB' },
      { activationCode: 'Ab3-xYz9' },
      { certificate: 'JVBERi0=' },
      { token: 't' },
    ]) {
      expect(() => webhookEvent('activation.issued', 'k', { ...base, ...extra } as typeof base, at)).toThrow(
        /Unrecognized key/,
      );
    }
    expect(() =>
      webhookEvent(
        'activation.issued',
        'k',
        { ...base, devices: [{ device: 'JN0', licenseId: 'L', key: 'x' }] } as never,
        at,
      ),
    ).toThrow();
    expect(() =>
      webhookEvent(
        'activation.rejected',
        'k',
        {
          orderNumber: null,
          lines: [{ lineNumber: '1', ssrn: 'S', activationCode: 'c' }],
          recipient: 'a@b',
          reason: 'r',
        } as never,
        at,
      ),
    ).toThrow();
  });
});

describe('signing', () => {
  it('signs so that the standardwebhooks verify accepts, and rejects a changed body', () => {
    const secret = newSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const now = new Date();
    const body = '{"type":"delivery.sent"}';
    const headers = signedHeaders(secret, 'msg_1', now, body);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(new Webhook(secret).verify(body, headers)).toEqual({ type: 'delivery.sent' });
    expect(() => new Webhook(secret).verify('{"type":"delivery.failed"}', headers)).toThrow();
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
  });
});

describe('retry schedule', () => {
  const schedule = { baseMs: 5_000, maxMs: 7_200_000, windowMs: 24 * 3_600_000 };
  it('doubles from the base, with jitter within the upper half, up to the cap', () => {
    expect(retryDelayMs(schedule, 1, () => 0)).toBe(2_500);
    expect(retryDelayMs(schedule, 1, () => 1)).toBe(5_000);
    expect(retryDelayMs(schedule, 4, () => 1)).toBe(40_000);
    expect(retryDelayMs(schedule, 30, () => 1)).toBe(7_200_000);
    expect(retryDelayMs(schedule, 10_000, () => 0.5)).toBe(5_400_000);
  });
  it('keeps retrying for the whole window, whatever the jitter', () => {
    const created = new Date('2026-12-07T00:00:00Z');
    let t = created.getTime();
    let failures = 0;
    while (!retriesExhausted(schedule, created, new Date(t))) t += retryDelayMs(schedule, ++failures, () => 0);
    expect(t - created.getTime()).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(failures).toBeLessThan(40);
  });
});
