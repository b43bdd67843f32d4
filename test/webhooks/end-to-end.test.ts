import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBounce } from '../../src/bounce/apply-bounce.ts';
import { createWebhooks } from '../../src/app/webhooks.ts';
import { createEndpoint } from '../../src/webhooks/admin.ts';
import { EVENT_TYPES } from '../../src/webhook-rules/events.ts';
import { benchEvent } from '../../bench/event-factory.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

let pipeline: TestPipeline;
let sink: SmtpSink;
let receiver: WebhookReceiver;

beforeAll(async () => {
  sink = await startSmtpSink();
  // Mail to anyone at refused.example is refused for good at RCPT TO: a final failure, no retries.
  sink.onRecipient = ({ recipient }) =>
    recipient?.endsWith('@refused.example')
      ? { code: 550, message: '5.1.1 <' + recipient + '>: user unknown' }
      : undefined;
  receiver = await new WebhookReceiver().start();
  pipeline = await startPipeline({
    SMTP_URL: sink.url,
    SUPPORT_EMAIL: 'support@vendor.example',
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    WEBHOOK_BACKOFF_MS: '50',
    WEBHOOK_RELAY_INTERVAL_MS: '50',
  });
  const webhooks = createWebhooks(pipeline.ctx);
  receiver.secret = (
    await createEndpoint(webhooks.admin, { url: receiver.url, eventTypes: EVENT_TYPES }, 'test')
  ).secret;
  await webhooks.close();
});
afterAll(async () => {
  await pipeline?.close();
  await receiver?.stop();
  await sink?.close();
});

const ofOrder = (order: string, type: string) =>
  [...receiver.unique().values()].filter((r) => r.data.orderNumber === order && r.type === type);

const toSupportAbout = (order: string) =>
  sink.messages.filter((m) => m.to.includes('support@vendor.example') && m.parsed.subject?.includes(order));

/** The messages to support about `order`, once there is one: each test counts its own order's, whatever ran before. */
async function supportMessages(order: string) {
  const deadline = Date.now() + 20_000;
  while (toSupportAbout(order).length === 0) {
    if (Date.now() > deadline) throw new Error(`no message to support about order ${order}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return toSupportAbout(order);
}

describe('delivery receipts, end to end', () => {
  it('reports acceptance and every sent message, signed; then every bounce, and exactly one order.undeliverable with one message to support', async () => {
    const event = benchEvent('WH', 1, 2, 2);
    const order = event.salesOrder.number;
    expect((await pipeline.post('/v1/fulfillments', event)).statusCode).toBe(202);
    await receiver.waitFor(() => ofOrder(order, 'delivery.sent').length === 2);
    expect(ofOrder(order, 'fulfillment.accepted')).toHaveLength(1);
    expect(ofOrder(order, 'fulfillment.accepted')[0]!.data).toMatchObject({
      orderNumber: order,
      eventId: event.eventId,
      lines: [
        { lineNumber: '1', ssrn: event.lines[0]!.ssrn },
        { lineNumber: '2', ssrn: event.lines[1]!.ssrn },
      ],
      recipients: event.salesOrder.contacts.map((c) => c.email),
    });
    const sent = ofOrder(order, 'delivery.sent');
    expect(sent.map((s) => s.data.recipient).sort()).toEqual(event.salesOrder.contacts.map((c) => c.email).sort());
    expect(receiver.rejected).toEqual([]);
    // Nothing secret in any payload: no activation code, no key.
    for (const r of receiver.requests)
      for (const line of event.lines) expect(JSON.stringify(r.data)).not.toContain(line.activationCode);

    const view = (await pipeline.get(`/v1/orders/${order}`)).json();
    const deliveries = view.fulfillments[0].deliveries as Array<{ id: string; messageId: string; recipient: string }>;
    for (const [i, d] of deliveries.entries()) {
      const outcome = await applyBounce(pipeline.ctx, {
        originalMessageId: d.messageId,
        failed: [
          {
            recipient: d.recipient,
            status: `5.1.${i + 1}`,
            diagnostic: `smtp; 550 5.1.${i + 1} no such user ${d.recipient}`,
          },
        ],
      });
      expect(outcome).toBe('bounced');
    }
    await receiver.waitFor(
      () => ofOrder(order, 'order.undeliverable').length === 1 && ofOrder(order, 'delivery.bounced').length === 2,
    );
    const bounced = ofOrder(order, 'delivery.bounced').map((b) => b.data.dsn);
    expect(bounced).toEqual(
      expect.arrayContaining([
        { status: '5.1.1', diagnostic: expect.stringContaining('no such user') },
        { status: '5.1.2', diagnostic: expect.stringContaining('no such user') },
      ]),
    );
    const undeliverable = ofOrder(order, 'order.undeliverable')[0]!.data as {
      recipients: Array<{ recipient: string; status: string; lastError: string }>;
    };
    expect(undeliverable.recipients.map((r) => r.status)).toEqual(['bounced', 'bounced']);

    const toSupport = await supportMessages(order);
    expect(toSupport).toHaveLength(1);
    expect(toSupport[0]!.parsed.subject).toContain(`Order ${order}`);
    for (const d of deliveries) expect(toSupport[0]!.parsed.text).toContain(`${d.recipient}: bounced (5.1.`);

    // Every view shows the bounce with the report's status and diagnostic.
    const after = (await pipeline.get(`/v1/orders/${order}`)).json().fulfillments[0].deliveries as Array<{
      status: string;
      dsnStatus: string;
      dsnDiagnostic: string;
    }>;
    expect(after.map((d) => d.status)).toEqual(['bounced', 'bounced']);
    expect(after.map((d) => d.dsnStatus).sort()).toEqual(['5.1.1', '5.1.2']);
    expect(after.every((d) => /no such user/.test(d.dsnDiagnostic))).toBe(true);
    const audit = (
      await pipeline.get(`/v1/audit?order=${order}`, (await import('../support/app.ts')).TEST_TOKENS.admin)
    ).json().entries;
    expect(audit.filter((e: { action: string }) => e.action === 'order.undeliverable')).toHaveLength(1);

    // Applying the same reports again changes nothing: still one event, one message.
    for (const d of deliveries)
      await applyBounce(pipeline.ctx, {
        originalMessageId: d.messageId,
        failed: [{ recipient: d.recipient, status: '5.1.1' }],
      });
    await new Promise((r) => setTimeout(r, 500));
    expect(ofOrder(order, 'order.undeliverable')).toHaveLength(1);
    expect(toSupportAbout(order)).toHaveLength(1);
  });

  it('reports final SMTP failures as delivery.failed, then the order as undeliverable', async () => {
    const event = benchEvent('WH', 2, 1, 2);
    event.salesOrder.contacts = event.salesOrder.contacts.map((c, i) => ({ ...c, email: `buyer${i}@refused.example` }));
    const order = event.salesOrder.number;
    expect((await pipeline.post('/v1/fulfillments', event)).statusCode).toBe(202);
    await receiver.waitFor(
      () => ofOrder(order, 'order.undeliverable').length === 1 && ofOrder(order, 'delivery.failed').length === 2,
      30_000,
    );
    expect(ofOrder(order, 'delivery.failed').map((f) => f.data.error)).toEqual([
      expect.stringContaining('user unknown'),
      expect.stringContaining('user unknown'),
    ]);
    expect(await supportMessages(order)).toHaveLength(1);
  });

  it('reports a fulfillment held until its ship date as scheduled', async () => {
    const event = benchEvent('WH', 3, 1, 1);
    event.lines[0]!.shipDate = '2099-01-01';
    const order = event.salesOrder.number;
    expect((await pipeline.post('/v1/fulfillments', event)).statusCode).toBe(202);
    await receiver.waitFor(() => ofOrder(order, 'fulfillment.scheduled').length === 1);
    expect(ofOrder(order, 'fulfillment.scheduled')[0]!.data.shipDate).toBe('2099-01-01');
    expect(ofOrder(order, 'fulfillment.accepted')).toHaveLength(0);
  });
});
