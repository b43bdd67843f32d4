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
}, 90_000);

afterAll(async () => {
  await pipeline?.close();
  await sink?.close();
  await dovecot?.dispose();
});

interface TestOrder {
  number: string;
  /** Code and SSRN of the Northstar line (email activation, quantity 2). */
  code: string;
  ssrn: string;
  /** The order's contacts: the buyer (with a display name) and the IT address. */
  buyer: string;
  it: string;
}

let ordersPlaced = 0;
/**
 * The heritage order (order-heritage-de) with its own number, codes, SSRNs and contacts, so that the keys issued,
 * the quantity left and the hourly limits per contact and per code are the calling test's alone.
 */
async function placeOrder(): Promise<TestOrder> {
  const n = ++ordersPlaced;
  const tag = String(n).padStart(4, '0');
  const event = rawExample('order-heritage-de');
  const [northstar, optics] = event.lines;
  const order: TestOrder = {
    number: String(15_563_300 + n),
    code: `Mk3pWz-7HqRt-Bn${tag}`,
    ssrn: `SSRN2C9D4E${tag}`,
    buyer: `juergen.weiss@mueller-netz-${n}.example`,
    it: `it@mueller-netz-${n}.example`,
  };
  event.eventId = `erp-20261128-act-${tag}`;
  event.salesOrder.number = order.number;
  event.salesOrder.contacts = [{ email: order.buyer, name: 'Jürgen Weiß' }, { email: order.it }];
  Object.assign(northstar!, { activationCode: order.code, ssrn: order.ssrn });
  Object.assign(optics!, { activationCode: `Qr5sTu-8VwXy-Za${tag}`, ssrn: `SSRN3H5J7K${tag}` });
  expect((await pipeline.post('/v1/fulfillments', event)).statusCode).toBe(202);
  // The order's fulfillment emails go out first, so that they do not run alongside the test's own mail.
  await pipeline.idle();
  return order;
}

/** Message-IDs of everything this file put in the activation mailbox, whichever tests ran. */
const appended: string[] = [];

/** Puts a message in the activation mailbox; returns its Message-ID. */
async function drop(mail: RawMail): Promise<string> {
  const { raw, messageId } = rawMail(mail);
  appended.push(messageId);
  await dovecot.append(BOX, raw);
  return messageId;
}

/** Drops a request into the activation mailbox and returns the reply that answers it (matched by In-Reply-To). */
async function ask(mail: RawMail): Promise<ReceivedMessage> {
  const messageId = await drop(mail);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const reply = sink.messages.find((m) => m.parsed.inReplyTo === messageId);
    if (reply) return reply;
    if (Date.now() > deadline) throw new Error(`no reply to ${messageId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Message-IDs of a folder's messages, in UID order. */
async function filed(folder: string): Promise<string[]> {
  return (await dovecot.list(BOX, folder)).flatMap((m) => (m.messageId ? [m.messageId] : []));
}

/**
 * Drops a message that must get no answer; waits until the service has filed it in Rejected, then checks no reply
 * went out (the reply is sent before the message is filed). Returns its Message-ID.
 */
async function askExpectingSilence(mail: RawMail): Promise<string> {
  const messageId = await drop(mail);
  const deadline = Date.now() + 20_000;
  // By its own Message-ID: another test's message filed meanwhile must not pass for this one.
  while (!(await filed('Rejected')).includes(messageId)) {
    if (Date.now() > deadline) throw new Error(`${messageId} was never filed`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(sink.messages.find((m) => m.parsed.inReplyTo === messageId)).toBeUndefined();
  return messageId;
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
    const order = await placeOrder();
    const reply = await ask({
      from: `Jürgen Weiß <${order.buyer}>`,
      subject: 'Aktivierung Northstar',
      text: `Hallo,\n\nAktivierungscode: ${order.code}\nSeriennummer: JN11D2E7CAFB\n\nGruß\nJürgen`,
    });
    expect(reply.to).toEqual([order.buyer]);
    expect(reply.parsed.subject).toBe('AW: Aktivierung Northstar');
    expect(reply.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(reply.parsed.references).toBeDefined();
    expect(reply.parsed.text).toContain('Lizenzschlüssel');
    const [file] = keyFiles(reply);
    expect(file).toBeDefined();
    const keyText = file!.content.toString();
    expect(verifyKey(keyText, keys.publicKey, 'JN11D2E7CAFB').ssrn).toBe(order.ssrn);
    // The key in the body is the same key, and the real CLI accepts it.
    const keyLines = keyText.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(reply.parsed.text).toContain(keyLines.slice(0, 3).join('\n'));
    const cli = await runCli(['verify-key', keyText, '--device', 'JN11D2E7CAFB'], {
      LICENSE_SIGNING_KEY: signingKeyPath,
    });
    expect(cli.code).toBe(0);
  });

  it('gives the same key again for the same device, without using quantity, and files messages in Processed', async () => {
    const order = await placeOrder();
    const first = await ask({ from: order.buyer, text: `Aktivierungscode: ${order.code}\nSeriennummer: JN11D2E7CAFB` });
    expect(keyFiles(first)).toHaveLength(1);
    const again = await ask({ from: order.buyer, html: `<p>Code: <b>${order.code}</b></p><p>S/N: jn11d2e7cafb</p>` });
    expect(keyFiles(again)[0]!.content.toString()).toBe(keyFiles(first)[0]!.content.toString());
    const view = (await pipeline.get(`/v1/orders/${order.number}`)).json() as OrderView;
    const line = view.entitlements.find((e) => e.ssrn === order.ssrn)!;
    expect(line.keys.map((k) => k.device)).toEqual(['JN11D2E7CAFB']);
    expect(line.activations).toHaveLength(1);
    expect(line.activations[0]).toMatchObject({ device: 'JN11D2E7CAFB', sender: order.buyer });
    const requests = [first, again].map((r) => r.parsed.inReplyTo!);
    await expect
      .poll(async () => (await filed('Processed')).filter((id) => requests.includes(id)).sort(), { timeout: 10_000 })
      .toEqual([...requests].sort());
  });

  it('issues up to the quantity and says so for devices beyond it', async () => {
    const order = await placeOrder();
    const inUse = await ask({ from: order.buyer, text: `Code: ${order.code}\nSerial: JN11D2E7CAFB` });
    // One of the two licenses is taken before the request for two more devices.
    expect(keyFiles(inUse)).toHaveLength(1);
    const reply = await ask({
      from: order.it,
      text: `${order.code}\nSerial numbers: JN125ED29AFL, JN99AB12CD34`,
    });
    expect(keyFiles(reply).map((f) => f.filename)).toHaveLength(1);
    expect(reply.parsed.text).toContain('JN99AB12CD34');
    expect(reply.parsed.text).toMatch(/alle 2 Lizenzen/);
  });

  it('answers a sender who is not on the order without saying anything about the order', async () => {
    const order = await placeOrder();
    const reply = await ask({
      from: 'mallory@evil.example',
      text: `Activation code: ${order.code}\nSerial: JN11D2E7CAFB`,
    });
    expect(keyFiles(reply)).toHaveLength(0);
    const text = reply.parsed.text ?? '';
    for (const secret of [order.number, 'Northstar', 'SSRN', 'Müller']) expect(text).not.toContain(secret);
    const unknown = await ask({
      from: 'mallory@evil.example',
      text: 'Activation code: Zz9zZz-9ZzZz-Zz9ZzZ\nSerial: JN11D2E7CAFB',
    });
    expect(unknown.parsed.text).toBe(text);
  });

  it('explains a request without code or device', async () => {
    const order = await placeOrder();
    const noCode = await ask({ from: order.buyer, text: 'Bitte Schlüssel für JN11D2E7CAFB' });
    expect(noCode.parsed.text).toMatch(/activation code/i);
    const noDevice = await ask({ from: order.it, text: `Code ${order.code}` });
    expect(noDevice.parsed.text).toContain(order.code);
  });

  it('never answers automatic mail, or mail from its own address', async () => {
    const order = await placeOrder();
    await askExpectingSilence({
      from: order.buyer,
      text: `Code: ${order.code}\nSerial: JN11D2E7CAFB`,
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    await askExpectingSilence({
      from: order.buyer,
      text: `Code: ${order.code}\nSerial: JN11D2E7CAFB`,
      headers: { Precedence: 'bulk' },
    });
    await askExpectingSilence({ from: 'MAILER-DAEMON@mx.example', text: `Code: ${order.code}` });
    await askExpectingSilence({
      from: 'licensing@courier.example',
      text: `Code: ${order.code}\nSerial: JN11D2E7CAFB`,
    });
  });

  it('goes silent for a sender after too many failed attempts', async () => {
    const order = await placeOrder();
    const guesser = 'guesser@evil.example';
    for (const guess of ['Aa1aaa-Bb2bb-Cc3ccc', 'Aa1aaa-Bb2bb-Cc3ccd', 'Aa1aaa-Bb2bb-Cc3cce'])
      await ask({ from: guesser, text: `Code: ${guess}\nSerial: JN11D2E7CAFB` });
    await askExpectingSilence({ from: guesser, text: `Code: ${order.code}\nSerial: JN11D2E7CAFB` });
  });

  it('keeps every message: nothing deleted, each filed once', async () => {
    const order = await placeOrder();
    const request = { from: order.buyer, text: `Code: ${order.code}\nSerial: JN11D2E7CAFB` };
    // One message for each way a message ends: keys, the same keys again, a refusal, an outsider, automatic mail.
    const processed = [(await ask(request)).parsed.inReplyTo!, (await ask(request)).parsed.inReplyTo!];
    const rejected = [
      (await ask({ from: order.it, text: `Code ${order.code}` })).parsed.inReplyTo!,
      (await ask({ from: 'stranger@elsewhere.example', text: request.text })).parsed.inReplyTo!,
      await askExpectingSilence({ ...request, headers: { 'Auto-Submitted': 'auto-generated' } }),
    ];
    // Filing happens on the watcher's next check after the answer.
    await expect.poll(() => dovecot.list(BOX, 'INBOX'), { timeout: 10_000 }).toEqual([]);
    const [inProcessed, inRejected] = await Promise.all(['Processed', 'Rejected'].map(filed));
    const ids = [...inProcessed!, ...inRejected!];
    expect(new Set(ids).size).toBe(ids.length);
    // Every message this file put in the mailbox, this test's and those of any test run before it.
    expect([...ids].sort()).toEqual([...appended].sort());
    const own = [...processed, ...rejected];
    expect(inProcessed!.filter((id) => own.includes(id)).sort()).toEqual(processed.sort());
    expect(inRejected!.filter((id) => own.includes(id)).sort()).toEqual(rejected.sort());
  });
});

describe('activation mailbox across an IMAP server restart', () => {
  it('answers requests that arrive while and after Dovecot restarts, once each', async () => {
    const order = await placeOrder();
    await dovecot.restart();
    const replies = await Promise.all(
      ['JN11D2E7CAFB', 'JN125ED29AFL'].map((serial) =>
        ask({ from: order.buyer, text: `Code: ${order.code}\nSerial: ${serial}` }),
      ),
    );
    expect(replies.map((r) => keyFiles(r).length)).toEqual([1, 1]);
    await dovecot.restart();
    await ask({ from: order.buyer, text: `Code: ${order.code}\nSerial: JN11D2E7CAFB` });
    const perRequest = new Map<string, number>();
    for (const m of sink.messages)
      if (m.parsed.inReplyTo) perRequest.set(m.parsed.inReplyTo, (perRequest.get(m.parsed.inReplyTo) ?? 0) + 1);
    expect([...perRequest.values()].every((n) => n === 1)).toBe(true);
  });
});
