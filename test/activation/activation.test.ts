import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyKey } from '../../src/license/key.ts';
import type { OrderView } from '../../src/support/order-view.ts';
import { startDovecot, type PrivateDovecot } from '../support/dovecot.ts';
import { rawMail, type RawMail } from '../support/mail.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from '../support/smtp-sink.ts';
import { rawExample } from '../support/events.ts';
import { runCli } from '../support/cli.ts';

const BOX = 'activate@example.net';
const CODE = 'Mk3pWz-7HqRt-Bn4VxC';
const CUSTOMER = 'juergen.weiss@mueller-netz.example';
const keys = generateKeyPairSync('ed25519');
const keyDir = mkdtempSync(join(tmpdir(), 'lc-act-keys-'));
const signingKeyPath = join(keyDir, 'license-signing.pem');
writeFileSync(signingKeyPath, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

let dovecot: PrivateDovecot;
let sink: SmtpSink;
let pipeline: TestPipeline;

beforeAll(async () => {
  dovecot = await startDovecot({ [BOX]: 'secret' });
  sink = await startSmtpSink();
  pipeline = await startPipeline({
    SMTP_URL: sink.url,
    IMAP_URL: dovecot.url(BOX),
    LICENSE_SIGNING_KEY: signingKeyPath,
    IMAP_POLL_INTERVAL_MS: '500',
    ACTIVATION_FAILURES_PER_HOUR: '3',
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

/** Drops a request into the activation mailbox and returns the reply that answers it (matched by In-Reply-To). */
async function ask(mail: RawMail): Promise<ReceivedMessage> {
  const { raw, messageId } = rawMail(mail);
  await dovecot.append(BOX, raw);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const reply = sink.messages.find((m) => m.parsed.inReplyTo === messageId);
    if (reply) return reply;
    if (Date.now() > deadline) throw new Error(`no reply to ${messageId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Drops a message that must get no answer; waits until the service has filed it, then checks no reply went out. */
async function askExpectingSilence(mail: RawMail): Promise<void> {
  const { raw, messageId } = rawMail(mail);
  const before = (await dovecot.list(BOX, 'Rejected')).length;
  await dovecot.append(BOX, raw);
  const deadline = Date.now() + 20_000;
  while ((await dovecot.list(BOX, 'Rejected')).length === before) {
    if (Date.now() > deadline) throw new Error('message was never filed');
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(sink.messages.find((m) => m.parsed.inReplyTo === messageId)).toBeUndefined();
}

const keyFiles = (m: ReceivedMessage) => m.parsed.attachments.filter((a) => a.filename?.endsWith('.lic'));

describe('activation by email', () => {
  it('is ready once the mailbox watcher is connected', async () => {
    const deadline = Date.now() + 20_000;
    while ((await pipeline.get('/readyz')).statusCode !== 200) {
      if (Date.now() > deadline) throw new Error(`not ready: ${(await pipeline.get('/readyz')).body}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await pipeline.get('/readyz')).json()).toEqual({ status: 'ready' });
  });

  it("answers a plain request from a contact with a signed key, threaded, in the order's language", async () => {
    const reply = await ask({
      from: `Jürgen Weiß <${CUSTOMER}>`,
      subject: 'Aktivierung Northstar',
      text: `Hallo,\n\nAktivierungscode: ${CODE}\nSeriennummer: JN11D2E7CAFB\n\nGruß\nJürgen`,
    });
    expect(reply.to).toEqual([CUSTOMER]);
    expect(reply.parsed.subject).toBe('AW: Aktivierung Northstar');
    expect(reply.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(reply.parsed.references).toBeDefined();
    expect(reply.parsed.text).toContain('Lizenzschlüssel');
    const [file] = keyFiles(reply);
    expect(file).toBeDefined();
    const keyText = file!.content.toString();
    expect(verifyKey(keyText, keys.publicKey, 'JN11D2E7CAFB').ssrn).toBe('SSRN2C9D4E6F8G');
    // The key in the body is the same key, and the real CLI accepts it.
    const keyLines = keyText.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(reply.parsed.text).toContain(keyLines.slice(0, 3).join('\n'));
    const cli = await runCli(['verify-key', keyText, '--device', 'JN11D2E7CAFB'], {
      LICENSE_SIGNING_KEY: signingKeyPath,
    });
    expect(cli.code).toBe(0);
  });

  it('gives the same key again for the same device, without using quantity, and files messages in Processed', async () => {
    const first = keyFiles(sink.messages.find((m) => keyFiles(m).length)!)[0]!.content.toString();
    const again = await ask({ from: CUSTOMER, html: `<p>Code: <b>${CODE}</b></p><p>S/N: jn11d2e7cafb</p>` });
    expect(keyFiles(again)[0]!.content.toString()).toBe(first);
    const view = (await pipeline.get('/v1/orders/15563301')).json() as OrderView;
    const line = view.entitlements.find((e) => e.ssrn === 'SSRN2C9D4E6F8G')!;
    expect(line.keys.map((k) => k.device)).toEqual(['JN11D2E7CAFB']);
    expect(line.activations).toHaveLength(1);
    expect(line.activations[0]).toMatchObject({ device: 'JN11D2E7CAFB', sender: CUSTOMER });
    await expect.poll(async () => (await dovecot.list(BOX, 'Processed')).length, { timeout: 10_000 }).toBe(2);
  });

  it('issues up to the quantity and says so for devices beyond it', async () => {
    const reply = await ask({
      from: 'it@mueller-netz.example',
      text: `${CODE}\nSerial numbers: JN125ED29AFL, JN99AB12CD34`,
    });
    expect(keyFiles(reply).map((f) => f.filename)).toHaveLength(1);
    expect(reply.parsed.text).toContain('JN99AB12CD34');
    expect(reply.parsed.text).toMatch(/alle 2 Lizenzen/);
  });

  it('answers a sender who is not on the order without saying anything about the order', async () => {
    const reply = await ask({ from: 'mallory@evil.example', text: `Activation code: ${CODE}\nSerial: JN11D2E7CAFB` });
    expect(keyFiles(reply)).toHaveLength(0);
    const text = reply.parsed.text ?? '';
    for (const secret of ['15563301', 'Northstar', 'SSRN', 'Müller']) expect(text).not.toContain(secret);
    const unknown = await ask({
      from: 'mallory@evil.example',
      text: 'Activation code: Zz9zZz-9ZzZz-Zz9ZzZ\nSerial: JN11D2E7CAFB',
    });
    expect(unknown.parsed.text).toBe(text);
  });

  it('explains a request without code or device', async () => {
    const noCode = await ask({ from: CUSTOMER, text: 'Bitte Schlüssel für JN11D2E7CAFB' });
    expect(noCode.parsed.text).toMatch(/activation code/i);
    const noDevice = await ask({ from: 'it@mueller-netz.example', text: `Code ${CODE}` });
    expect(noDevice.parsed.text).toContain(CODE);
  });

  it('never answers automatic mail, or mail from its own address', async () => {
    await askExpectingSilence({
      from: CUSTOMER,
      text: `Code: ${CODE}\nSerial: JN11D2E7CAFB`,
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    await askExpectingSilence({
      from: CUSTOMER,
      text: `Code: ${CODE}\nSerial: JN11D2E7CAFB`,
      headers: { Precedence: 'bulk' },
    });
    await askExpectingSilence({ from: 'MAILER-DAEMON@mx.example', text: `Code: ${CODE}` });
    await askExpectingSilence({ from: 'licensing@courier.example', text: `Code: ${CODE}\nSerial: JN11D2E7CAFB` });
  });

  it('goes silent for a sender after too many failed attempts', async () => {
    const guesser = 'guesser@evil.example';
    for (const guess of ['Aa1aaa-Bb2bb-Cc3ccc', 'Aa1aaa-Bb2bb-Cc3ccd', 'Aa1aaa-Bb2bb-Cc3cce'])
      await ask({ from: guesser, text: `Code: ${guess}\nSerial: JN11D2E7CAFB` });
    await askExpectingSilence({ from: guesser, text: `Code: ${CODE}\nSerial: JN11D2E7CAFB` });
  });

  it('keeps every message: nothing deleted, each filed once', async () => {
    // Filing happens on the watcher's next check after the answer.
    await expect.poll(() => dovecot.list(BOX, 'INBOX'), { timeout: 10_000 }).toEqual([]);
    const [processed, rejected] = await Promise.all(['Processed', 'Rejected'].map((f) => dovecot.list(BOX, f)));
    const ids = [...processed!, ...rejected!].map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(15);
  });
});

describe('activation mailbox across an IMAP server restart', () => {
  it('answers requests that arrive while and after Dovecot restarts, once each', async () => {
    await dovecot.restart();
    const replies = await Promise.all(
      ['JN11D2E7CAFB', 'JN125ED29AFL'].map((serial) =>
        ask({ from: CUSTOMER, text: `Code: ${CODE}\nSerial: ${serial}` }),
      ),
    );
    expect(replies.map((r) => keyFiles(r).length)).toEqual([1, 1]);
    await dovecot.restart();
    await ask({ from: CUSTOMER, text: `Code: ${CODE}\nSerial: JN11D2E7CAFB` });
    const perRequest = new Map<string, number>();
    for (const m of sink.messages)
      if (m.parsed.inReplyTo) perRequest.set(m.parsed.inReplyTo, (perRequest.get(m.parsed.inReplyTo) ?? 0) + 1);
    expect([...perRequest.values()].every((n) => n === 1)).toBe(true);
  });
});
