import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestSweep } from '../../queues/notice-sweep.queue.ts';
import { addDays } from '../../src/entitlement/dates.ts';
import type { OrderNotices } from '../../src/notices/order-notices.ts';
import type { OrderView } from '../../src/support/order-view.ts';
import { ManualClock } from '../support/app.ts';
import { makeEvent, type RawEvent } from '../support/events.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from '../support/smtp-sink.ts';

// FULFILLMENT_TZ end to end, at instants where its calendar date is not UTC's: Auckland is 13 hours ahead in its
// summer (January, October) and in its autumn until April, so from 11:00 UTC on it is already the next day there.
// Ship dates and notice dates follow Auckland's date; the service's clock is moved by hand.

const TZ = 'Pacific/Auckland';
// 2026-01-15 09:00 in Auckland, 2026-01-14 in UTC.
const START = '2026-01-14T20:00:00Z';
const clock = new ManualClock(new Date(START));
let sink: SmtpSink;
let p: TestPipeline;

beforeEach(async () => {
  clock.set(START);
  sink = await startSmtpSink();
  p = await startPipeline(
    { SMTP_URL: sink.url, FULFILLMENT_TZ: TZ, REMINDER_FROM: 'Renewals <renewals@courier.example>' },
    { clock },
  );
});
afterEach(async () => {
  await p.close();
  await sink.close();
});

const isNotice = (m: ReceivedMessage) => m.from === 'renewals@courier.example';
const summary = (ms: ReceivedMessage[]) => ms.map((m) => [m.to.join(','), m.parsed.subject?.split(':')[0]]).sort();

function subscription(tag: string, shipDate: string): RawEvent {
  const e = makeEvent(tag, 2, shipDate);
  Object.assign(e.lines[0]!, { termMonths: 12, sku: 'S-EX-A-C1-1' });
  return e;
}

async function order(number: string): Promise<OrderView & { notices: OrderNotices }> {
  const res = await p.get(`/v1/orders/${number}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as OrderView & { notices: OrderNotices };
}

const statuses = async (number: string) =>
  (await order(number)).fulfillments.flatMap((f) => f.deliveries.map((d) => d.status));

/** The sweep the scheduler runs (today by the service's clock, in FULFILLMENT_TZ) at `instant`, and what it sent. */
async function sweepAt(instant: string): Promise<ReceivedMessage[]> {
  const before = sink.messages.length;
  clock.set(instant);
  await requestSweep(p.ctx.queues.noticeSweep, `at-${instant.replace(/\W/g, '')}`);
  await p.sweepIdle();
  await p.idle();
  return sink.messages.slice(before).filter(isNotice);
}

describe(`FULFILLMENT_TZ=${TZ} where its date is not UTC's`, () => {
  it("a line shipping on the local today goes at once; one for the local tomorrow waits for Auckland's midnight", async () => {
    const today = subscription('tz-today', '2026-01-15');
    const accepted = await p.post('/v1/fulfillments', today);
    expect(accepted.statusCode, accepted.body).toBe(202);
    expect(accepted.json().fulfillments[0].status).toBe('queued');
    await sink.waitFor(2);
    await p.idle();
    expect(await statuses(today.salesOrder.number)).toEqual(['sent', 'sent']);

    const tomorrow = subscription('tz-tomorrow', '2026-01-16');
    const held = await p.post('/v1/fulfillments', tomorrow);
    expect(held.json().fulfillments[0].status).toBe('scheduled');
    const id = held.json().fulfillments[0].id as string;
    const job = (await p.ctx.queues.fulfillment.getJob(id))!;
    // Auckland's 2026-01-16 begins at 2026-01-15T11:00Z.
    expect(job.delay).toBe(Date.parse('2026-01-15T11:00:00Z') - Date.parse(START));

    // Released at 10:59 UTC on the 15th, still the 15th in Auckland: put back, nothing sent.
    clock.set('2026-01-15T10:59:00Z');
    await job.promote();
    await waitFor(async () => (await (await p.ctx.queues.fulfillment.getJob(id))!.getState()) === 'delayed');
    await p.idle();
    expect(await statuses(tomorrow.salesOrder.number)).toEqual(['scheduled', 'scheduled']);
    expect(sink.messages).toHaveLength(2);

    // A second past Auckland's midnight, UTC's date is still the 15th: the line ships.
    clock.set('2026-01-15T11:00:01Z');
    await (await p.ctx.queues.fulfillment.getJob(id))!.promote();
    await sink.waitFor(4);
    await p.idle();
    expect(await statuses(tomorrow.salesOrder.number)).toEqual(['sent', 'sent']);
  });

  it("notices follow Auckland's dates: the daily sweep is scheduled there, each notice goes on its local day", async () => {
    const schedulers = await p.ctx.queues.noticeSweep.getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ pattern: '5 0 * * *', tz: TZ })]);
    // Shipped on Auckland's 2026-01-15 (UTC's 14th): the paid term ends 2027-01-15, expiry 2027-02-14.
    const event = subscription('tz-notices', '2026-01-15');
    expect((await p.post('/v1/fulfillments', event)).statusCode).toBe(202);
    await p.idle();
    const [a, b] = event.salesOrder.contacts.map((c) => c.email);
    const both = (kind: string) => [
      [a, kind],
      [b, kind],
    ];

    // Each due day: a minute before Auckland's midnight nothing, a second after it the notice; both instants are on
    // UTC's day before.
    const schedule = [
      ['2026-10-17', 'reminder-90', 'Renewal reminder'],
      ['2026-12-16', 'reminder-30', 'Renewal reminder'],
      ['2027-01-08', 'reminder-7', 'Renewal reminder'],
      ['2027-01-15', 'grace', 'Grace period started'],
      ['2027-02-14', 'expiry', 'Expiring today'],
    ] as const;
    for (const [due, , kind] of schedule) {
      const dayBefore = addDays(due, -1);
      expect(await sweepAt(`${dayBefore}T10:59:00Z`), `${due}, 23:59 the day before in Auckland`).toEqual([]);
      expect(summary(await sweepAt(`${dayBefore}T11:00:01Z`)), `${due}, 00:00:01 in Auckland`).toEqual(both(kind));
    }
    const { notices } = await order(event.salesOrder.number);
    expect(notices.sent.map((n) => [n.noticeDate, n.notice, n.recipient, n.status]).sort()).toEqual(
      schedule.flatMap(([date, key]) => [a, b].map((r) => [date, key, r, 'sent'])).sort(),
    );
    expect(notices.due).toEqual([]);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition());) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
