import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderView } from '../../src/support/order-view.ts';
import { ManualClock } from '../support/app.ts';
import { runCli } from '../support/cli.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

// `license-courier render` previews what the service sends: the same event, rendered both ways, gives the same
// email (HTML, text, headers a reader sees) and the same certificate bytes.

const ROOT = new URL('../..', import.meta.url).pathname;
// Two ship dates, a named and an unnamed contact, a renewal and a key-in-email line with two devices.
const FIXTURE = join(ROOT, 'fixtures/orders/order-heritage-de.json');
const CERTIFICATES = ['SEC-15563301-20261128-0FAFFB', 'SEC-15563301-20270115-E7E6D6'];
const RECIPIENTS = ['juergen.weiss@mueller-netz.example', 'it@mueller-netz.example'];

const dir = mkdtempSync(join(tmpdir(), 'lc-preview-'));
const out = join(dir, 'out');
let sink: SmtpSink;
let pipeline: TestPipeline;
let sent: ParsedMail[];

beforeAll(async () => {
  const signingKey = join(dir, 'license-signing.pem');
  writeFileSync(signingKey, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  sink = await startSmtpSink();
  pipeline = await startPipeline(
    { SMTP_URL: sink.url, LICENSE_SIGNING_KEY: signingKey },
    // Past both ship dates, so the service sends everything at once.
    { clock: new ManualClock(new Date('2027-02-01T09:00:00Z')) },
  );
  expect((await pipeline.post('/v1/fulfillments', JSON.parse(readFileSync(FIXTURE, 'utf8')))).statusCode).toBe(202);
  sent = (await sink.waitFor(4)).map((m) => m.parsed);
  await pipeline.idle();
  const preview = await runCli(['render', FIXTURE, '--out', out], pipeline.env, { cwd: ROOT });
  expect(preview.stderr).toBe('');
  expect(preview.code).toBe(0);
}, 120_000);

afterAll(async () => {
  await pipeline?.close();
  await sink?.close();
});

const file = (name: string) => readFileSync(join(out, name));
/** The message the service sent to `recipient` with the certificate `certificate` attached. */
const sentTo = (certificate: string, recipient: string) =>
  sent.find(
    (m) =>
      (m.to as AddressObject).value[0]?.address === recipient &&
      m.attachments.some((a) => a.filename?.includes(certificate)),
  )!;
/** What a reader of the message sees: who it is from and to, its subject and language, and the ids in its headers. */
const seen = (m: ParsedMail) => ({
  from: m.from?.value,
  to: m.to,
  replyTo: m.replyTo?.value,
  subject: m.subject,
  messageId: m.messageId,
  headers: ['content-language', 'auto-submitted', 'x-license-courier-delivery'].map((h) => m.headers.get(h)),
  html: m.html,
  text: m.text,
  attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
});

describe('render --out and the service, given the same event', () => {
  it('preview every message the service sent, and no other', () => {
    expect(sent).toHaveLength(4);
    const emls = readdirSync(out).filter((f) => f.endsWith('.eml'));
    expect(emls.sort()).toEqual(CERTIFICATES.flatMap((c) => RECIPIENTS.map((r) => `${c}.${r}.eml`)).sort());
  });

  for (const certificate of CERTIFICATES) {
    it(`write the certificate ${certificate} with the bytes the service stored and attached`, async () => {
      const pdf = file(`Software-Entitlement-Certificate-${certificate}.pdf`);
      const order = (await pipeline.get('/v1/orders/15563301')).json() as OrderView;
      const id = order.fulfillments.find((f) => f.certificateNumber === certificate)!.id;
      const stored = await pipeline.get(`/v1/orders/15563301/certificate.pdf?fulfillment=${id}`);
      expect(stored.statusCode).toBe(200);
      expect(Buffer.from(stored.rawPayload).equals(pdf)).toBe(true);
      for (const recipient of RECIPIENTS) {
        const attached = sentTo(certificate, recipient).attachments.find((a) => a.contentType === 'application/pdf');
        expect(attached!.content.equals(pdf)).toBe(true);
      }
    });

    for (const recipient of RECIPIENTS) {
      it(`write the email of ${certificate} to ${recipient} as the service sent it`, async () => {
        const message = sentTo(certificate, recipient);
        const preview = await simpleParser(file(`${certificate}.${recipient}.eml`));
        expect(seen(preview)).toEqual(seen(message));
        expect(file(`${certificate}.${recipient}.html`).toString('utf8')).toBe(message.html);
        expect(file(`${certificate}.${recipient}.txt`).toString('utf8')).toBe(message.text);
      });
    }
  }
});
