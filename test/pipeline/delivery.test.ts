import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { ManualClock } from '../support/app.ts';
import { makeEvent, rawExample } from '../support/events.ts';
import type { OrderView } from '../../src/support/order-view.ts';

let pipeline: TestPipeline | undefined;
let sink: SmtpSink | undefined;

afterEach(async () => {
  await pipeline?.close();
  await sink?.close();
  pipeline = undefined;
  sink = undefined;
});

async function orderStatus(p: TestPipeline, order: string): Promise<OrderView> {
  const res = await p.get(`/v1/orders/${order}`);
  expect(res.statusCode).toBe(200);
  return res.json() as OrderView;
}

const deliveriesOf = (view: OrderView) => view.fulfillments.flatMap((f) => f.deliveries);

describe('delivery pipeline, from POST /v1/fulfillments to the SMTP server', () => {
  it('sends every contact exactly one message with the certificate attached, and records it as sent', async () => {
    sink = await startSmtpSink();
    pipeline = await startPipeline({ SMTP_URL: sink.url });
    const event = rawExample('order-ex-srx');
    const res = await pipeline.post('/v1/fulfillments', event);
    expect(res.statusCode).toBe(202);
    const messages = await sink.waitFor(2);
    await pipeline.idle();
    expect(sink.messages).toHaveLength(2);
    expect(messages.map((m) => m.to).sort()).toEqual([['licensing@northwind.example'], ['netops@acme.example']]);
    for (const m of messages) {
      expect(m.parsed.subject).toContain('15563238');
      expect(m.parsed.text).toContain('hTq4Xe-P9dLm-Zw2RbK');
      expect(m.parsed.html).toContain('SSRN8B3N5V2C7D');
      const pdf = m.parsed.attachments.find((a) => a.contentType === 'application/pdf');
      expect(pdf?.filename).toBe('Software-Entitlement-Certificate-SEC-15563238-20261128-2053E6.pdf');
      expect(pdf?.content.subarray(0, 5).toString()).toBe('%PDF-');
    }
    // Rendered once: both recipients got the same bytes.
    const [a, b] = messages.map((m) => m.parsed.attachments.find((x) => x.contentType === 'application/pdf')!.content);
    expect(a!.equals(b!)).toBe(true);
    const view = await orderStatus(pipeline, '15563238');
    const deliveries = deliveriesOf(view);
    expect(deliveries.map((d) => d.status)).toEqual(['sent', 'sent']);
    for (const d of deliveries) {
      const message = messages.find((m) => m.to[0] === d.recipient)!;
      expect(message.parsed.messageId).toBe(d.messageId);
      expect(d.attempts).toBe(1);
      expect(d.acceptedAt).toBeDefined();
    }
    const cert = await pipeline.get('/v1/orders/15563238/certificate.pdf');
    expect(cert.statusCode).toBe(200);
    expect(cert.headers['content-type']).toBe('application/pdf');
    expect(Buffer.from(cert.rawPayload).equals(a!)).toBe(true);
  });

  it('a replayed event answers 200 with the first answer and sends nothing new', async () => {
    sink = await startSmtpSink();
    pipeline = await startPipeline({ SMTP_URL: sink.url });
    const event = makeEvent('replay', 3);
    const first = await pipeline.post('/v1/fulfillments', event);
    expect(first.statusCode).toBe(202);
    await sink.waitFor(3);
    await pipeline.idle();
    const reordered = JSON.parse(
      JSON.stringify({ lines: event.lines, salesOrder: event.salesOrder, eventId: event.eventId }),
    );
    const replay = await pipeline.post('/v1/fulfillments', reordered);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(first.json());
    await pipeline.idle();
    expect(sink.messages).toHaveLength(3);
  });

  it('rejects reuse of an eventId with other content, and codes owned by another entitlement, writing nothing', async () => {
    sink = await startSmtpSink();
    pipeline = await startPipeline({ SMTP_URL: sink.url }, { workers: false });
    const event = makeEvent('conflict', 1);
    expect((await pipeline.post('/v1/fulfillments', event)).statusCode).toBe(202);

    const changed = { ...event, lines: [{ ...event.lines[0]!, quantity: 2 }] };
    const reuse = await pipeline.post('/v1/fulfillments', changed);
    expect(reuse.statusCode).toBe(409);
    expect(reuse.json().issues).toEqual([{ path: 'eventId', message: expect.stringContaining('different content') }]);

    const other = makeEvent('conflict2', 1);
    const clash = { ...other, lines: [{ ...other.lines[0]!, ssrn: event.lines[0]!.ssrn }] };
    const res = await pipeline.post('/v1/fulfillments', clash);
    expect(res.statusCode).toBe(409);
    expect(res.json().issues).toEqual([
      { path: 'lines[0].ssrn', message: 'already belongs to an existing entitlement' },
    ]);
    const codeClash = { ...other, lines: [{ ...other.lines[0]!, activationCode: event.lines[0]!.activationCode }] };
    expect((await pipeline.post('/v1/fulfillments', codeClash)).json().issues[0].path).toBe('lines[0].activationCode');
    // Nothing of the refused events was written.
    expect(await pipeline.ctx.orders.get(other.salesOrder.number)).toBeUndefined();
    expect(await pipeline.ctx.db.query('SELECT 1 FROM events WHERE event_id = $1', [other.eventId])).toEqual([]);
  });

  it('holds a line with a future ship date until that date begins, then sends it', async () => {
    sink = await startSmtpSink();
    const clock = new ManualClock(new Date('2026-11-28T12:00:00Z'));
    pipeline = await startPipeline({ SMTP_URL: sink.url, FULFILLMENT_TZ: 'Europe/Berlin' }, { clock });
    const event = makeEvent('future', 2, '2026-12-01');
    const res = await pipeline.post('/v1/fulfillments', event);
    expect(res.statusCode).toBe(202);
    expect(res.json().fulfillments[0].status).toBe('scheduled');
    const fulfillmentId = res.json().fulfillments[0].id as string;
    const job = (await pipeline.ctx.queues.fulfillment.getJob(fulfillmentId))!;
    expect(await job.getState()).toBe('delayed');
    // Due at midnight in Berlin, 2026-12-01T00:00+01:00, counted from the service's clock.
    expect(job.delay).toBe(Date.parse('2026-11-30T23:00:00Z') - Date.parse('2026-11-28T12:00:00Z'));
    expect(deliveriesOf(await orderStatus(pipeline, event.salesOrder.number)).map((d) => d.status)).toEqual([
      'scheduled',
      'scheduled',
    ]);

    // Released early (an operator's promote, a clock behind): the worker puts it back and sends nothing.
    await job.promote();
    await waitFor(async () =>
      (await pipeline!.ctx.queues.fulfillment.getJob(fulfillmentId))!.getState().then((s) => s === 'delayed'),
    );
    expect(sink.messages).toHaveLength(0);

    clock.set('2026-11-30T23:00:01Z');
    await (await pipeline.ctx.queues.fulfillment.getJob(fulfillmentId))!.promote();
    await sink.waitFor(2);
    await pipeline.idle();
    expect(deliveriesOf(await orderStatus(pipeline, event.salesOrder.number)).map((d) => d.status)).toEqual([
      'sent',
      'sent',
    ]);
  });

  it('retries a 451 and delivers once', async () => {
    sink = await startSmtpSink();
    let refused = 0;
    sink.onData = ({ messageNumber }) =>
      messageNumber === 1 ? (refused++, { code: 451, message: '4.7.1 Greylisted, try again' }) : undefined;
    pipeline = await startPipeline({ SMTP_URL: sink.url });
    const event = makeEvent('greylist', 1);
    await pipeline.post('/v1/fulfillments', event);
    await sink.waitFor(1);
    await pipeline.idle();
    expect(refused).toBe(1);
    expect(sink.messages).toHaveLength(1);
    const [d] = deliveriesOf(await orderStatus(pipeline, event.salesOrder.number));
    expect(d).toMatchObject({ status: 'sent', attempts: 2, lastError: expect.stringContaining('451') });
  });

  it('marks a recipient rejected with 550 as failed, without retry, and delivers to the others', async () => {
    sink = await startSmtpSink();
    sink.onRecipient = ({ recipient }) =>
      recipient === 'user1@reject.example' ? { code: 550, message: '5.1.1 No such user' } : undefined;
    pipeline = await startPipeline({ SMTP_URL: sink.url });
    const event = makeEvent('reject', 3);
    await pipeline.post('/v1/fulfillments', event);
    await sink.waitFor(2);
    await pipeline.idle();
    const byRecipient = Object.fromEntries(
      deliveriesOf(await orderStatus(pipeline, event.salesOrder.number)).map((d) => [d.recipient, d]),
    );
    expect(byRecipient['user1@reject.example']).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('550'),
    });
    expect(byRecipient['user0@reject.example']!.status).toBe('sent');
    expect(byRecipient['user2@reject.example']!.status).toBe('sent');
    expect(sink.messages.map((m) => m.to[0]).sort()).toEqual(['user0@reject.example', 'user2@reject.example']);
  });

  it('keeps retrying while the SMTP server is down and delivers everything once it is back', async () => {
    sink = await startSmtpSink();
    const port = sink.port;
    await sink.close();
    pipeline = await startPipeline({ SMTP_URL: `smtp://127.0.0.1:${port}`, SEND_BACKOFF_MS: '200' });
    const event = makeEvent('down', 3);
    await pipeline.post('/v1/fulfillments', event);
    await waitFor(async () =>
      deliveriesOf(await orderStatus(pipeline!, event.salesOrder.number)).every((d) => d.status === 'retrying'),
    );
    sink = await startSmtpSink(port);
    await sink.waitFor(3);
    await pipeline.idle();
    expect(sink.messages).toHaveLength(3);
    expect(
      deliveriesOf(await orderStatus(pipeline, event.salesOrder.number)).every(
        (d) => d.status === 'sent' && d.attempts >= 2,
      ),
    ).toBe(true);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
