import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { addDays } from '../../src/entitlement/dates.ts';
import { smtpTransport, type MailTransport } from '../../src/mail/transport.ts';
import { createNoticeRenderer, type NoticeRenderer } from '../../src/notices/notice-email.ts';
import { optOutByToken } from '../../src/notices/opt-out.ts';
import { orderNotices } from '../../src/notices/order-notices.ts';
import { sendNotice } from '../../src/notices/send-notice.ts';
import { sweepNotices, type SweepResult } from '../../src/notices/sweep.ts';
import { NoticeStore } from '../../src/store/notices.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { TEST_BRAND } from '../support/documents.ts';
import { insertOrder } from '../support/notice-fixtures.ts';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from '../support/smtp-sink.ts';

// The sweep and send use cases on real PostgreSQL and a real SMTP server; the queue between them is a list here
// (the BullMQ end to end runs in test/pipeline/notices.test.ts).

const OFFSETS = [90, 30, 7];
const FROM = 'Renewals <renewals@courier.example>';

let sink: SmtpSink;
let transport: MailTransport;
let renderer: NoticeRenderer;
let t: TestDatabase;
let store: NoticeStore;
/** Every message received, with the day of the sweep that sent it. */
let inbox: Array<{ day: string; to: string; subject: string; message: ReceivedMessage }>;

beforeAll(async () => {
  sink = await startSmtpSink();
  transport = smtpTransport(sink.url, { poolSize: 2, timeoutMs: 10_000 });
  renderer = await createNoticeRenderer();
});
afterAll(async () => {
  transport.close();
  await sink.close();
});
beforeEach(async () => {
  t = await createTestDatabase();
  store = new NoticeStore(t.db);
  sink.messages.length = 0;
  sink.onRecipient = () => undefined;
  inbox = [];
});
afterEach(() => t.drop());

const clockOn = (day: string) => ({ now: () => new Date(`${day}T00:05:00Z`) });
const sendDeps = (day: string) => ({
  notices: store,
  renderer,
  transport,
  clock: clockOn(day),
  brand: TEST_BRAND,
  from: FROM,
  fromAddress: 'renewals@courier.example',
  publicUrl: 'https://courier.example.net',
  logger: createLogger('silent'),
});

/** One day of the service: the sweep, then every job it queued, sent. */
async function runDay(day: string, options: { dryRun?: boolean } = {}): Promise<SweepResult> {
  const queued: string[] = [];
  const result = await sweepNotices(
    {
      notices: store,
      clock: clockOn(day),
      offsetsDays: OFFSETS,
      fromAddress: 'renewals@courier.example',
      enqueueNotices: async (ids) => void queued.push(...ids),
    },
    day,
    options,
  );
  await sendAll(day, queued);
  return result;
}

/** The send jobs of a day, each run once (the queue runs one job per id). */
async function sendAll(day: string, ids: string[]): Promise<void> {
  const before = sink.messages.length;
  for (const id of new Set(ids)) await sendNotice(sendDeps(day), id, 1, 3).catch(() => undefined);
  for (const m of sink.messages.slice(before))
    inbox.push({ day, to: m.to.join(','), subject: m.parsed.subject ?? '', message: m });
}

async function runDays(first: string, last: string): Promise<void> {
  for (let day = first; day <= last; day = addDays(day, 1)) await runDay(day);
}

const received = () => inbox.map((m) => [m.day, m.to, m.subject.split(':')[0]]);

describe('the subscription timer, day by day', () => {
  it('an initial 12-month subscription: each notice once, on its day, to each contact', async () => {
    await insertOrder(t.db, {
      number: '40000001',
      contacts: [{ email: 'ana@example.com', name: 'Ana' }, { email: 'bo@example.com' }],
      lines: [
        { ssrn: 'SSRNA00000001', shipDate: '2026-01-15' },
        { ssrn: 'SSRNA00000002', shipDate: '2026-01-15' },
        { ssrn: 'SSRNAPERPET01', shipDate: '2026-01-15', licenseType: 'perpetual' },
      ],
    });
    await runDays('2026-01-14', '2027-02-20');
    const both = (day: string, kind: string) => [
      [day, 'ana@example.com', kind],
      [day, 'bo@example.com', kind],
    ];
    expect(received()).toEqual([
      ...both('2026-10-17', 'Renewal reminder'),
      ...both('2026-12-16', 'Renewal reminder'),
      ...both('2027-01-08', 'Renewal reminder'),
      ...both('2027-01-15', 'Grace period started'),
      ...both('2027-02-14', 'Expiring today'),
    ]);
    // One message per order and recipient, listing both subscriptions (not the perpetual line).
    for (const { message } of inbox) {
      expect(message.parsed.text).toContain('SSRNA00000001');
      expect(message.parsed.text).toContain('SSRNA00000002');
      expect(message.parsed.text).not.toContain('SSRNAPERPET01');
      expect(message.parsed.attachments).toEqual([]);
      expect(message.parsed.from?.value).toEqual([{ name: 'Renewals', address: 'renewals@courier.example' }]);
      expect(message.raw.toString()).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    }
    expect(inbox[0]!.message.parsed.text).toContain('Dear Ana,');
    const deliveries = await store.forOrder('40000001');
    expect(deliveries).toHaveLength(10);
    expect(deliveries.every((d) => d.status === 'sent' && d.acceptedAt && d.attempts === 1)).toBe(true);
  });

  it("a renewal: its own reminders and expiry (no grace), in the order's locale; the renewed one falls silent", async () => {
    await insertOrder(t.db, {
      number: '40000002',
      contacts: [{ email: 'old@example.com' }],
      lines: [{ ssrn: 'SSRNB00000001', shipDate: '2026-02-14' }],
    });
    // Renewed from its end date, 2027-03-16, for 12 months: expires 2028-03-16, a leap year's March.
    await insertOrder(t.db, {
      number: '40000003',
      locale: 'de',
      contacts: [{ email: 'neu@example.de', name: 'Jörg' }, { email: 'zwei@example.de' }],
      lines: [
        { ssrn: 'SSRNB00000002', shipDate: '2026-11-01', renews: { ssrn: 'SSRNB00000001', endDate: '2027-03-16' } },
      ],
    });
    await runDays('2026-11-01', '2028-03-20');
    const both = (day: string) => [
      [day, 'neu@example.de'],
      [day, 'zwei@example.de'],
    ];
    expect(inbox.map((m) => [m.day, m.to])).toEqual([
      ...both('2027-12-17'),
      ...both('2028-02-15'),
      ...both('2028-03-09'),
      ...both('2028-03-16'),
    ]);
    expect(inbox.map((m) => m.subject.split(':')[0])).toEqual([
      ...Array(6).fill('Erinnerung zur Verlängerung'),
      'Läuft heute ab',
      'Läuft heute ab',
    ]);
    expect(inbox[0]!.message.parsed.text).toContain('Guten Tag Jörg,');
  });

  it("a renewal arriving between reminders cancels the old entitlement's notices still to come", async () => {
    await insertOrder(t.db, {
      number: '40000004',
      contacts: [{ email: 'ana@example.com' }],
      lines: [{ ssrn: 'SSRNC00000001', shipDate: '2026-01-15' }],
    });
    await runDays('2026-12-10', '2026-12-20');
    expect(received()).toEqual([['2026-12-16', 'ana@example.com', 'Renewal reminder']]);
    await insertOrder(t.db, {
      number: '40000005',
      contacts: [{ email: 'ana@example.com' }],
      lines: [
        { ssrn: 'SSRNC00000002', shipDate: '2026-12-21', renews: { ssrn: 'SSRNC00000001', endDate: '2027-02-14' } },
      ],
    });
    await runDays('2026-12-21', '2027-02-20');
    expect(received()).toEqual([['2026-12-16', 'ana@example.com', 'Renewal reminder']]);
  });

  it('a notice queued before a renewal or an opt-out is not sent when its job runs', async () => {
    await insertOrder(t.db, {
      number: '40000006',
      contacts: [{ email: 'ana@example.com' }, { email: 'bo@example.com' }],
      lines: [{ ssrn: 'SSRND00000001', shipDate: '2026-01-15' }],
    });
    const queued: string[] = [];
    await sweepNotices(
      {
        notices: store,
        clock: clockOn('2026-12-16'),
        offsetsDays: OFFSETS,
        fromAddress: 'r@courier.example',
        enqueueNotices: async (ids) => void queued.push(...ids),
      },
      '2026-12-16',
    );
    expect(queued).toHaveLength(2);
    await store.optOut('bo@example.com', new Date());
    await insertOrder(t.db, {
      number: '40000007',
      contacts: [],
      lines: [
        { ssrn: 'SSRND00000002', shipDate: '2026-12-16', renews: { ssrn: 'SSRND00000001', endDate: '2027-02-14' } },
      ],
    });
    for (const id of queued) expect(await sendNotice(sendDeps('2026-12-16'), id, 1, 3)).toBe('cancelled');
    expect(sink.messages).toEqual([]);
    expect((await store.forOrder('40000006')).map((d) => [d.recipient, d.status, d.lastError]).sort()).toEqual([
      ['ana@example.com', 'cancelled', 'every subscription it concerns was renewed'],
      ['bo@example.com', 'cancelled', 'the recipient opted out of reminders'],
    ]);
  });
});

describe('exactly once, whatever runs', () => {
  beforeEach(async () => {
    await insertOrder(t.db, {
      number: '40000010',
      contacts: [{ email: 'ana@example.com' }, { email: 'bo@example.com' }],
      lines: [{ ssrn: 'SSRNE00000001', shipDate: '2026-01-15' }],
    });
  });

  it('two sweeps of the same day at once record and queue each notice once', async () => {
    const queued: string[] = [];
    const deps = {
      notices: store,
      clock: clockOn('2026-10-17'),
      offsetsDays: OFFSETS,
      fromAddress: 'r@courier.example',
      enqueueNotices: async (ids: string[]) => void queued.push(...ids),
    };
    const [a, b] = await Promise.all([sweepNotices(deps, '2026-10-17'), sweepNotices(deps, '2026-10-17')]);
    expect(a.recorded + b.recorded).toBe(2);
    expect(new Set(queued).size).toBe(2);
    expect(await store.forOrder('40000010')).toHaveLength(2);
    await sendAll('2026-10-17', queued);
    expect(received()).toEqual([
      ['2026-10-17', 'ana@example.com', 'Renewal reminder'],
      ['2026-10-17', 'bo@example.com', 'Renewal reminder'],
    ]);
  });

  it('a sweep that crashed after recording is healed by the next: the recorded deliveries are queued again, never twice', async () => {
    const lost = await sweepNotices(
      {
        notices: store,
        clock: clockOn('2026-10-17'),
        offsetsDays: OFFSETS,
        fromAddress: 'r@courier.example',
        enqueueNotices: async () => {
          throw new Error('redis went away');
        },
      },
      '2026-10-17',
    ).catch((e: Error) => e);
    expect(lost).toBeInstanceOf(Error);
    expect(await store.sweptThrough()).toBeUndefined();
    const again = await runDay('2026-10-17');
    expect(again).toMatchObject({ recorded: 0, queued: 2 });
    await runDay('2026-10-18');
    expect(received()).toEqual([
      ['2026-10-17', 'ana@example.com', 'Renewal reminder'],
      ['2026-10-17', 'bo@example.com', 'Renewal reminder'],
    ]);
  });

  it('a job that finds an attempt begun and never finished (its worker died talking to SMTP) does not send again', async () => {
    const queued: string[] = [];
    await sweepNotices(
      {
        notices: store,
        clock: clockOn('2026-10-17'),
        offsetsDays: OFFSETS,
        fromAddress: 'r@courier.example',
        enqueueNotices: async (ids) => void queued.push(...ids),
      },
      '2026-10-17',
    );
    const [dead, alive] = queued as [string, string];
    await store.markSending(dead, new Date('2026-10-17T00:06:00Z'), 1);
    expect(await sendNotice(sendDeps('2026-10-17'), dead, 2, 3)).toBe('interrupted');
    expect(await sendNotice(sendDeps('2026-10-17'), dead, 3, 3)).toBe('already-failed');
    expect(await sendNotice(sendDeps('2026-10-17'), alive, 1, 3)).toBe('sent');
    expect(sink.messages).toHaveLength(1);
    expect(await store.get(dead)).toMatchObject({
      status: 'interrupted',
      attempts: 1,
      lastError: expect.stringContaining('at most once'),
    });
    expect((await store.get(alive))?.sendingSince).toBeUndefined();
  });

  it('catch-up after 40 days down: only the latest notice still relevant, once', async () => {
    await runDay('2026-12-01');
    await runDay('2027-01-10');
    await runDays('2027-01-11', '2027-01-14');
    expect(received()).toEqual([
      ['2027-01-10', 'ana@example.com', 'Renewal reminder'],
      ['2027-01-10', 'bo@example.com', 'Renewal reminder'],
    ]);
    expect(inbox[0]!.message.parsed.text).toContain('ends on 15 January 2027');
    expect((await store.forOrder('40000010')).map((d) => d.notice)).toEqual(['reminder-7', 'reminder-7']);
    // Down again over the grace notice and the expiry: nothing for an entitlement already expired.
    await runDay('2027-03-01');
    expect(inbox).toHaveLength(2);
  });

  it('support sees the notices sent, per recipient, and those still to come; none to come once renewed', async () => {
    await runDays('2026-12-15', '2026-12-16');
    const view = await orderNotices({ notices: store, offsetsDays: OFFSETS }, '40000010', '2026-12-17');
    expect(view.sent.map((d) => [d.notice, d.recipient, d.status, d.noticeDate])).toEqual(
      [
        ['reminder-30', 'ana@example.com', 'sent', '2026-12-16'],
        ['reminder-30', 'bo@example.com', 'sent', '2026-12-16'],
      ].sort((a, b) => a[1]!.localeCompare(b[1]!)),
    );
    expect(view.due).toEqual([
      { ssrn: 'SSRNE00000001', notice: 'reminder-7', date: '2027-01-08' },
      { ssrn: 'SSRNE00000001', notice: 'grace', date: '2027-01-15' },
      { ssrn: 'SSRNE00000001', notice: 'expiry', date: '2027-02-14' },
    ]);
    // The day a notice falls due, before the sweep ran: still to come.
    expect((await orderNotices({ notices: store, offsetsDays: OFFSETS }, '40000010', '2027-01-08')).due[0]).toEqual({
      ssrn: 'SSRNE00000001',
      notice: 'reminder-7',
      date: '2027-01-08',
    });
    await insertOrder(t.db, {
      number: '40000012',
      contacts: [],
      lines: [
        { ssrn: 'SSRNE00000002', shipDate: '2026-12-17', renews: { ssrn: 'SSRNE00000001', endDate: '2027-02-14' } },
      ],
    });
    expect((await orderNotices({ notices: store, offsetsDays: OFFSETS }, '40000010', '2026-12-17')).due).toEqual([]);
  });

  it('a dry run lists what would go out and changes nothing', async () => {
    const dry = await runDay('2026-10-17', { dryRun: true });
    expect(dry.planned.map((p) => [p.recipient, p.notice, p.ssrns])).toEqual([
      ['ana@example.com', 'reminder-90', ['SSRNE00000001']],
      ['bo@example.com', 'reminder-90', ['SSRNE00000001']],
    ]);
    expect(await store.forOrder('40000010')).toEqual([]);
    expect(await store.sweptThrough()).toBeUndefined();
    expect(inbox).toEqual([]);
  });

  it('opt-out with the one-click token of a reminder: no more reminders to that address, the others still get them', async () => {
    await runDay('2026-10-17');
    const toAna = inbox.find((m) => m.to === 'ana@example.com')!.message;
    const url = (toAna.parsed.headers.get('list') as { unsubscribe: { url: string } }).unsubscribe.url;
    expect(await optOutByToken({ notices: store, clock: clockOn('2026-10-18') }, url.split('/').at(-1)!)).toBe(
      'ana@example.com',
    );
    await runDays('2026-10-18', '2027-02-20');
    expect(inbox.filter((m) => m.to === 'ana@example.com')).toHaveLength(1);
    expect(inbox.filter((m) => m.to === 'bo@example.com')).toHaveLength(5);
  });

  it('failures are tracked per recipient: a refused address fails, a busy server is retried', async () => {
    let busy = true;
    sink.onRecipient = ({ recipient }) =>
      recipient === 'bo@example.com'
        ? { code: 550, message: '5.1.1 no such user' }
        : busy
          ? { code: 421, message: '4.3.2 try later' }
          : undefined;
    await runDay('2026-10-17');
    const byRecipient = async () => Object.fromEntries((await store.forOrder('40000010')).map((d) => [d.recipient, d]));
    expect((await byRecipient())['ana@example.com']).toMatchObject({
      status: 'retrying',
      attempts: 1,
      lastError: expect.stringContaining('try later'),
    });
    expect((await byRecipient())['bo@example.com']).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('no such user'),
      failedAt: expect.any(String),
    });
    busy = false;
    const ana = (await byRecipient())['ana@example.com']!;
    expect(await sendNotice(sendDeps('2026-10-17'), ana.id, 2, 3)).toBe('sent');
    expect(await sendNotice(sendDeps('2026-10-17'), ana.id, 3, 3)).toBe('already-sent');
    expect((await byRecipient())['ana@example.com']).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sink.messages.map((m) => m.to)).toEqual([['ana@example.com']]);
  });

  it('leap years and month ends: a subscription shipped on Feb 29', async () => {
    await insertOrder(t.db, {
      number: '40000011',
      contacts: [{ email: 'leap@example.com' }],
      lines: [{ ssrn: 'SSRNF00000001', shipDate: '2028-02-29' }],
    });
    await runDays('2028-11-25', '2029-04-02');
    expect(inbox.filter((m) => m.to === 'leap@example.com').map((m) => [m.day, m.subject.split(':')[0]])).toEqual([
      ['2028-11-30', 'Renewal reminder'],
      ['2029-01-29', 'Renewal reminder'],
      ['2029-02-21', 'Renewal reminder'],
      ['2029-02-28', 'Grace period started'],
      ['2029-03-30', 'Expiring today'],
    ]);
  });
});
