import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPipeline } from '../support/pipeline.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { DELIVERED_ORDER, startWithDeliveredOrder } from '../support/delivered-order.ts';
import { TEST_TOKENS } from '../support/app.ts';

// POST /v1/orders/{n}/resend with an Idempotency-Key: a client that lost the answer sends the request again and must
// not send the customer the email twice. Real PostgreSQL, Redis, workers and SMTP server.

let pipeline: TestPipeline;
let sink: SmtpSink;
const ORDER = DELIVERED_ORDER;

beforeAll(async () => {
  ({ pipeline, sink } = await startWithDeliveredOrder({ RESENDS_PER_ORDER_PER_HOUR: '100' }));
});
afterAll(async () => {
  await pipeline.close();
  await sink.close();
});

const resend = (body: unknown, key?: string, token = TEST_TOKENS.support) =>
  pipeline.post(`/v1/orders/${ORDER}/resend`, body, token, key === undefined ? {} : { 'idempotency-key': key });
const sentTo = (address: string) => sink.messages.filter((m) => m.to.includes(address)).length;

describe('resend with an Idempotency-Key', () => {
  it('answers the same request again from the first time (200, same deliveries) and sends once', async () => {
    await pipeline.idle(); // what other tests resent has arrived: the counts start here
    const [total, toNetops] = [sink.messages.length, sentTo('netops@acme.example')];
    const body = { to: ['netops@acme.example'], reason: 'the client retried' };
    const first = await resend(body, 'key-retried-1');
    expect(first.statusCode).toBe(202);
    await sink.waitFor(total + 1);
    await pipeline.idle();
    const again = await resend({ reason: 'the client retried', to: ['NetOps@Acme.example'] }, 'key-retried-1');
    expect(again.statusCode).toBe(200);
    expect(again.json().resendId).toBe(first.json().resendId);
    expect(again.json().deliveries.map((d: { id: string }) => d.id)).toEqual(
      first.json().deliveries.map((d: { id: string }) => d.id),
    );
    // The deliveries as they are now: accepted by the SMTP server since the first answer.
    expect(again.json().deliveries.map((d: { status: string }) => d.status)).toEqual(['sent']);
    await pipeline.idle();
    expect(sentTo('netops@acme.example')).toBe(toNetops + 1);
  });

  it('sends two requests with the same key arriving at once as one resend', async () => {
    await pipeline.idle();
    const before = sink.messages.length;
    const body = { reason: 'double click' };
    const answers = await Promise.all([resend(body, 'key-twins'), resend(body, 'key-twins')]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 202]);
    expect(new Set(answers.map((a) => a.json().resendId)).size).toBe(1);
    await sink.waitFor(before + 2);
    await pipeline.idle();
    expect(sink.messages.length).toBe(before + 2);
  });

  it('refuses the key with a different request (409), and keeps keys apart per caller and without a key', async () => {
    expect((await resend({ reason: 'first' }, 'key-reused')).statusCode).toBe(202);
    const clash = await resend({ reason: 'something else' }, 'key-reused');
    expect(clash.statusCode).toBe(409);
    expect(clash.json().issues).toEqual([{ path: 'Idempotency-Key', message: 'send a new key for a new request' }]);
    // Another caller's key is its own; without a key every request is a new resend.
    expect((await resend({ reason: 'first' }, 'key-reused', TEST_TOKENS.admin)).statusCode).toBe(202);
    const plain = [await resend({ reason: 'no key' }), await resend({ reason: 'no key' })];
    expect(plain.map((r) => r.statusCode)).toEqual([202, 202]);
    expect(plain[0]!.json().resendId).not.toBe(plain[1]!.json().resendId);
  });

  it('names the header when the key is not 1 to 255 visible ASCII characters, and sends nothing', async () => {
    await pipeline.idle();
    const before = sink.messages.length;
    for (const key of ['', 'with space', 'ü-key', 'x'.repeat(256)]) {
      const res = await resend({ reason: 'bad key' }, key);
      expect(res.statusCode, key).toBe(400);
      expect(res.json().issues.map((i: { path: string }) => i.path)).toEqual(['Idempotency-Key']);
    }
    await pipeline.idle();
    expect(sink.messages.length).toBe(before);
  });
});
