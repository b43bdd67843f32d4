import { afterEach, describe, expect, it } from 'vitest';
import { requestSweep } from '../../queues/notice-sweep.queue.ts';
import type { OrderNotices } from '../../src/notices/order-notices.ts';
import type { OrderView } from '../../src/support/order-view.ts';
import { ManualClock } from '../support/app.ts';
import { makeEvent } from '../support/events.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

// A retryable failure on the last attempt becomes `failed`: a server that answers 4xx to every attempt ends the
// delivery after SEND_ATTEMPTS, with its last answer kept, rather than leaving it `retrying` for ever.

const ATTEMPTS = 3;

let pipeline: TestPipeline | undefined;
let sink: SmtpSink | undefined;

afterEach(async () => {
  await pipeline?.close();
  await sink?.close();
  pipeline = undefined;
  sink = undefined;
});

/** A pipeline whose SMTP server greylists every address of `domain` (the message to support still goes through). */
async function greylisting(
  domain: string,
  clock?: ManualClock,
): Promise<{ p: TestPipeline; refusals: Map<string, number> }> {
  sink = await startSmtpSink();
  const refusals = new Map<string, number>();
  sink.onRecipient = ({ recipient }) => {
    if (!recipient?.endsWith(`@${domain}`)) return undefined;
    refusals.set(recipient, (refusals.get(recipient) ?? 0) + 1);
    return { code: 451, message: '4.7.1 Greylisted, try again later' };
  };
  pipeline = await startPipeline(
    {
      SMTP_URL: sink.url,
      SEND_ATTEMPTS: String(ATTEMPTS),
      SEND_BACKOFF_MS: '20',
      REMINDER_FROM: 'Renewals <renewals@courier.example>',
    },
    clock ? { clock } : {},
  );
  return { p: pipeline, refusals };
}

type OrderResponse = OrderView & { notices: OrderNotices };

async function orderOf(p: TestPipeline, number: string): Promise<OrderResponse> {
  const res = await p.get(`/v1/orders/${number}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as OrderResponse;
}

describe('a retryable failure on the last attempt', () => {
  it('a Fulfillment Email refused with 451 every time ends `failed` after its last attempt, with the last error', async () => {
    const { p, refusals } = await greylisting('last-attempt.example');
    const event = makeEvent('last-attempt', 2);
    expect((await p.post('/v1/fulfillments', event)).statusCode).toBe(202);
    await p.idle();

    const contacts = event.salesOrder.contacts.map((c) => c.email);
    expect(Object.fromEntries(refusals)).toEqual(Object.fromEntries(contacts.map((c) => [c, ATTEMPTS])));
    expect(sink!.messages.filter((m) => m.to.some((to) => contacts.includes(to)))).toEqual([]);
    const deliveries = (await orderOf(p, event.salesOrder.number)).fulfillments.flatMap((f) => f.deliveries);
    expect(deliveries.map((d) => d.recipient).sort()).toEqual(contacts);
    for (const d of deliveries) {
      expect(d).toMatchObject({ status: 'failed', attempts: ATTEMPTS, lastError: expect.stringContaining('451') });
      expect(d.failedAt).toBeDefined();
      expect(d.attemptLog.map((a) => a.outcome)).toEqual(['retrying', 'retrying', 'failed']);
      expect(d.attemptLog.at(-1)!.response).toContain('4.7.1 Greylisted');
      expect(await p.ctx.deliveries.get(d.id)).toMatchObject({ status: 'failed', attempts: ATTEMPTS });
    }
    // Nothing is left to try again: no job waits for a retry, and the reconciler finds nothing unsent.
    expect(await p.ctx.queues.send.getJobCounts('delayed', 'waiting', 'active')).toEqual({
      delayed: 0,
      waiting: 0,
      active: 0,
    });
    expect(await p.ctx.deliveries.unsent(100)).toEqual([]);
  });

  it('a subscription notice refused with 451 every time ends `failed` too, with the last error', async () => {
    const clock = new ManualClock(new Date('2026-01-15T08:00:00Z'));
    const { p, refusals } = await greylisting('last-attempt-notice.example', clock);
    const event = makeEvent('last-attempt-notice', 1, '2026-01-15');
    Object.assign(event.lines[0]!, { termMonths: 12, sku: 'S-EX-A-C1-1' });
    expect((await p.post('/v1/fulfillments', event)).statusCode).toBe(202);
    await p.idle();
    const [contact] = event.salesOrder.contacts.map((c) => c.email);
    expect(refusals.get(contact!)).toBe(ATTEMPTS);

    clock.set('2026-10-17T00:05:00Z');
    await requestSweep(p.ctx.queues.noticeSweep, 'reminder-90');
    await p.sweepIdle();
    await p.idle();

    expect(refusals.get(contact!)).toBe(2 * ATTEMPTS);
    const [notice] = (await orderOf(p, event.salesOrder.number)).notices.sent;
    expect(notice).toMatchObject({
      notice: 'reminder-90',
      recipient: contact,
      status: 'failed',
      attempts: ATTEMPTS,
      lastError: expect.stringContaining('451'),
    });
    expect(notice!.failedAt).toBeDefined();
    expect(await p.ctx.notices.get(notice!.id)).toMatchObject({ status: 'failed', attempts: ATTEMPTS });
  });
});
