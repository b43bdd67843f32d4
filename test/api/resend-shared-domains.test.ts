import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { TEST_TOKENS } from '../support/app.ts';
import { rawExample } from '../support/events.ts';

let pipeline: TestPipeline;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  pipeline = await startPipeline({
    SMTP_URL: sink.url,
    RESEND_SHARED_DOMAINS: 'mail.shared.example',
    RESENDS_PER_ORDER_PER_HOUR: '100',
  });
  const event = rawExample('order-ex-srx') as { salesOrder: { contacts: unknown[] } };
  event.salesOrder.contacts = [
    { email: 'buyer@gmail.com' },
    { email: 'ops@mail.shared.example' },
    { email: 'netops@acme.example' },
  ];
  expect((await pipeline.post('/v1/fulfillments', event)).statusCode).toBe(202);
  await sink.waitFor(3);
  await pipeline.idle();
});
afterAll(async () => {
  await pipeline.close();
  await sink.close();
});

const resend = (to: string, token = TEST_TOKENS.support) =>
  pipeline.post('/v1/orders/15563238/resend', { to: [to], reason: 'test' }, token);

describe('resend to public mail domains', () => {
  it.each(['stranger@gmail.com', 'STRANGER@GMAIL.COM', 'someone@yahoo.com', 'other@mail.shared.example'])(
    "refuses support %s: a contact there does not make it the order's domain",
    async (to) => {
      const res = await resend(to);
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toContain('public mail domains');
    },
  );

  it("still lets support send to the order's own domain and to its contacts, and an admin anywhere", async () => {
    const before = sink.messages.length;
    expect((await resend('procurement@acme.example')).statusCode).toBe(202);
    expect((await resend('buyer@gmail.com')).statusCode).toBe(202);
    expect((await resend('stranger@gmail.com', TEST_TOKENS.admin)).statusCode).toBe(202);
    await sink.waitFor(before + 3);
    expect(
      sink.messages
        .slice(before)
        .map((m) => m.to[0])
        .sort(),
    ).toEqual(['buyer@gmail.com', 'procurement@acme.example', 'stranger@gmail.com']);
  });
});
