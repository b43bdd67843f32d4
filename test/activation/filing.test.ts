import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type PrivateDovecot } from '../support/dovecot.ts';
import { rawMail } from '../support/mail.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { rawExample } from '../support/events.ts';

const BOX = 'activate@example.net';
const CODE = 'Mk3pWz-7HqRt-Bn4VxC';
const CUSTOMER = 'juergen.weiss@mueller-netz.example';

let dovecot: PrivateDovecot;
let sink: SmtpSink;
let pipeline: TestPipeline;

beforeAll(async () => {
  dovecot = await startDovecot({ [BOX]: 'secret' });
  sink = await startSmtpSink();
  sink.onRecipient = ({ recipient = '' }) =>
    /["\s<>]/.test(recipient) || recipient.split('@')[0]!.length > 64
      ? { code: 553, message: '5.1.3 bad recipient address syntax' }
      : undefined;
  // No LICENSE_SIGNING_KEY: a valid request cannot be answered, and that job fails for good at once.
  pipeline = await startPipeline({
    SMTP_URL: sink.url,
    IMAP_URL: dovecot.url(BOX),
    IMAP_POLL_INTERVAL_MS: '300',
    MAIL_FROM: 'Licensing <licensing@courier.example>',
  });
  expect((await pipeline.post('/v1/fulfillments', rawExample('order-heritage-de'))).statusCode).toBe(202);
  await sink.waitFor(2, 60_000);
}, 90_000);

afterAll(async () => {
  await pipeline?.close();
  await sink?.close();
  await dovecot?.dispose();
});

describe('every message ends filed once, also when it cannot be answered', () => {
  it('files mail that parsing refuses, replies refused with 5xx and a job failing for good, with no retries and nothing left in INBOX', async () => {
    const before = sink.messages.length;
    const parts = Array.from({ length: 1000 }, () => `--p\r\nContent-Type: text/plain\r\n\r\nCode: ${CODE}\r\n`).join(
      '',
    );
    await dovecot.append(
      BOX,
      `From: ${CUSTOMER}\r\nSubject: bomb\r\nMessage-ID: <bomb@x.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n${parts}--p--\r\n`,
    );
    for (const from of ['"x y>"@example.net', `${'l'.repeat(240)}@example.net`])
      await dovecot.append(BOX, rawMail({ from, text: `Code: ${CODE}\nSerial: JN11D2E7CAFB` }).raw);
    await dovecot.append(BOX, rawMail({ from: CUSTOMER, text: `Code: ${CODE}\nSerial: JN11D2E7CAFB` }).raw);

    // Eight attempts with exponential backoff would take minutes; one attempt each files them within seconds.
    await expect.poll(() => dovecot.list(BOX, 'INBOX'), { timeout: 30_000, interval: 200 }).toEqual([]);
    expect(await dovecot.list(BOX, 'Processed')).toEqual([]);
    expect(await dovecot.list(BOX, 'Rejected')).toHaveLength(4);
    expect(sink.messages.length).toBe(before);
    const counts = await pipeline.ctx.queues.activation.getJobCounts('completed', 'failed', 'delayed', 'waiting');
    expect(counts).toEqual({ completed: 3, failed: 1, delayed: 0, waiting: 0 });
  }, 60_000);
});
