import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestSweep } from '../../queues/notice-sweep.queue.ts';
import { addDays } from '../../src/entitlement/dates.ts';
import { startWorkers } from '../../src/app/workers.ts';
import { ManualClock, TEST_TOKENS } from '../support/app.ts';
import { makeEvent, type RawEvent } from '../support/events.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from '../support/smtp-sink.ts';
import { subscribe } from '../support/webhook-subscriber.ts';

// The subscription timer end to end: intake writes the entitlements, the sweep runs as a BullMQ job on real Redis,
// notices go out through the send queue to a real SMTP server. The service's clock is moved by hand.

const clock = new ManualClock(new Date('2026-01-15T08:00:00Z'));
let sink: SmtpSink;
let p: TestPipeline;
let receiver: Server;

beforeEach(async () => {
  clock.set('2026-01-15T08:00:00Z');
  sink = await startSmtpSink();
  // An endpoint that answers: one that failed while the clock jumps months ahead would be disabled, and the events
  // after that not kept.
  receiver = createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  p = await startPipeline(
    {
      SMTP_URL: sink.url,
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      REMINDER_FROM: 'Renewals <renewals@courier.example>',
      PUBLIC_URL: 'https://courier.example.net',
    },
    { clock },
  );
  await subscribe(p.ctx.db, undefined, `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`);
});
afterEach(async () => {
  await p.close();
  await sink.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const isNotice = (m: ReceivedMessage) => m.from === 'renewals@courier.example';
const notices = () => sink.messages.filter(isNotice);
const summary = (ms: ReceivedMessage[]) => ms.map((m) => [m.to.join(','), m.parsed.subject?.split(':')[0]]).sort();

/**
 * The day's sweep, run as the scheduler runs it (a job without a date: today by the service's clock), and its sends.
 */
async function sweepOn(day: string): Promise<ReceivedMessage[]> {
  const before = sink.messages.length;
  clock.set(`${day}T00:05:00Z`);
  await requestSweep(p.ctx.queues.noticeSweep, `test-${day}`);
  await p.sweepIdle();
  await p.idle();
  return sink.messages.slice(before).filter(isNotice);
}

function subscription(tag: string, shipDate: string, over: Record<string, unknown> = {}): RawEvent {
  const e = makeEvent(tag, 2, shipDate);
  Object.assign(e.lines[0]!, { termMonths: 12, sku: 'S-EX-A-C1-1', ...over });
  return e;
}

async function accept(event: RawEvent): Promise<void> {
  const r = await p.post('/v1/fulfillments', event);
  expect(r.statusCode, r.body).toBe(202);
  await p.idle();
}

describe('the subscription timer, end to end', () => {
  it('an initial 12-month subscription: each notice once, on its day, to each contact; support sees them', async () => {
    const event = subscription('life-initial', '2026-01-15');
    await accept(event);
    const [a, b] = event.salesOrder.contacts.map((c) => c.email);
    expect(sink.messages.filter((m) => !isNotice(m))).toHaveLength(2);
    const days = {
      'Renewal reminder': ['2026-10-17', '2026-12-16', '2027-01-08'],
      'Grace period started': ['2027-01-15'],
      'Expiring today': ['2027-02-14'],
    };
    for (const [kind, dues] of Object.entries(days)) {
      for (const due of dues) {
        expect(await sweepOn(addDays(due, -1)), `${due} - 1`).toEqual([]);
        expect(summary(await sweepOn(due)), due).toEqual([
          [a, kind],
          [b, kind],
        ]);
        expect(await sweepOn(due), `${due} again`).toEqual([]);
      }
    }
    expect(notices()).toHaveLength(10);
    const view = JSON.parse((await p.get(`/v1/orders/${event.salesOrder.number}`)).body) as {
      notices: { sent: Array<{ status: string }>; due: unknown[] };
    };
    expect(view.notices.sent).toHaveLength(10);
    expect(view.notices.sent.every((d) => d.status === 'sent')).toBe(true);
    expect(view.notices.due).toEqual([]);
    // Each notice sent is a notice.sent webhook event, recorded with its acceptance, naming the line and the recipient.
    const events = await p.ctx.db.query<{ body: string }>(
      "SELECT body FROM webhook_events WHERE type = 'notice.sent' AND order_number = $1",
      [event.salesOrder.number],
    );
    expect(events).toHaveLength(10);
    const data = events.map(
      (e) =>
        (JSON.parse(e.body) as { data: { recipient: string; notice: string; lines: Array<{ ssrn: string }> } }).data,
    );
    expect(new Set(data.map((d) => d.recipient))).toEqual(new Set([a, b]));
    expect(data.every((d) => d.lines.length === 1 && d.lines[0]!.ssrn === event.lines[0]!.ssrn)).toBe(true);
  });

  it('a renewal arriving between reminders: the old subscription falls silent, the renewal has its own notices', async () => {
    const initial = subscription('life-renewed', '2026-01-15');
    await accept(initial);
    expect(await sweepOn('2026-12-16')).toHaveLength(2);
    clock.set('2026-12-20T10:00:00Z');
    const renewal = subscription('life-renewal', '2026-12-20', {
      purchase: 'renewal',
      renews: { ssrn: initial.lines[0]!.ssrn },
    });
    await accept(renewal);
    for (const day of ['2027-01-08', '2027-01-15', '2027-02-14']) expect(await sweepOn(day), day).toEqual([]);
    // Renewed from 2027-02-14 for 12 months: reminders 2027-11-16, 2028-01-15, 2028-02-07, expiry 2028-02-14 (no
    // grace).
    const [a, b] = renewal.salesOrder.contacts.map((c) => c.email);
    for (const [day, kind] of [
      ['2027-11-16', 'Renewal reminder'],
      ['2028-01-15', 'Renewal reminder'],
      ['2028-02-07', 'Renewal reminder'],
      ['2028-02-14', 'Expiring today'],
    ] as const) {
      const sent = await sweepOn(day);
      expect(summary(sent), day).toEqual([
        [a, kind],
        [b, kind],
      ]);
      expect(sent[0]!.parsed.text).toContain(renewal.lines[0]!.ssrn);
    }
    expect(notices()).toHaveLength(10);
  });

  it('two sweeps at once, on two workers: each notice once', async () => {
    await accept(subscription('two-sweeps', '2026-01-15'));
    const second = await startWorkers(p.ctx);
    try {
      clock.set('2026-10-17T00:05:00Z');
      await Promise.all([requestSweep(p.ctx.queues.noticeSweep, 'one'), requestSweep(p.ctx.queues.noticeSweep, 'two')]);
      await p.sweepIdle();
      await p.idle();
      expect(notices()).toHaveLength(2);
      expect(new Set(notices().map((m) => m.parsed.messageId)).size).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('one daily job scheduler however many workers, in FULFILLMENT_TZ', async () => {
    const second = await startWorkers(p.ctx);
    try {
      const schedulers = await p.ctx.queues.noticeSweep.getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(schedulers[0]).toMatchObject({ pattern: '5 0 * * *', tz: 'UTC' });
    } finally {
      await second.close();
    }
  });

  it('opt-out by the one-click POST of a reminder: no more reminders to that address, Fulfillment Emails still go', async () => {
    const event = subscription('opt-out', '2026-01-15');
    await accept(event);
    const [a, b] = event.salesOrder.contacts.map((c) => c.email);
    const toA = (await sweepOn('2026-10-17')).find((m) => m.to.includes(a!))!;
    const url = new URL((toA.parsed.headers.get('list') as { unsubscribe: { url: string } }).unsubscribe.url);
    expect(url.origin).toBe('https://courier.example.net');
    const r = await p.api.inject({
      method: 'POST',
      url: url.pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(r.statusCode).toBe(200);
    expect(summary(await sweepOn('2026-12-16'))).toEqual([[b, 'Renewal reminder']]);
    const before = sink.messages.length;
    const resend = await p.post(
      `/v1/orders/${event.salesOrder.number}/resend`,
      { to: [a], reason: 'customer asked' },
      TEST_TOKENS.support,
    );
    expect(resend.statusCode, resend.body).toBe(202);
    await p.idle();
    const fulfillment = sink.messages.slice(before);
    expect(fulfillment.map((m) => m.to)).toEqual([[a]]);
    expect(fulfillment[0]!.parsed.attachments.length).toBeGreaterThan(0);
  });
});
