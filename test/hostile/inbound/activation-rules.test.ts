import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleActivationMessage } from '../../../src/activation/handle-request.ts';
import { trustedVerdict } from '../../../src/inbound/sender-auth.ts';
import { activationDeps, activationOrder, dkimKey, dkimSigned, handleRaw } from '../../support/activation.ts';
import { startPipeline, type TestPipeline } from '../../support/pipeline.ts';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from '../../support/smtp-sink.ts';

let pipeline: TestPipeline;
let sink: SmtpSink;
let uniq = 0;

beforeAll(async () => {
  sink = await startSmtpSink();
  pipeline = await startPipeline(
    { SMTP_URL: sink.url, MAIL_FROM: 'Licensing <licensing@courier.example>' },
    { workers: false },
  );
});
afterAll(async () => {
  await pipeline.close();
  await sink.close();
});

function request(from: string, code: string, device = 'JN11D2E7CAFB', subject = 'Aktivierung'): Buffer {
  return Buffer.from(
    [
      `From: ${from}`,
      'To: activate@example.net',
      `Subject: ${subject}`,
      `Message-ID: <rule-${++uniq}@sender.example>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Aktivierungscode: ${code}`,
      `Seriennummer: ${device}`,
      '',
    ].join('\r\n'),
  );
}

async function order(tag: string, o: Parameters<typeof activationOrder>[1] = {}) {
  const made = activationOrder(tag, o);
  expect((await pipeline.post('/v1/fulfillments', made.event)).statusCode).toBe(202);
  return made;
}

const repliesTo = (to: string) => sink.messages.filter((m) => m.to.includes(to));
const keyFiles = (m: ReceivedMessage) => m.parsed.attachments.filter((a) => a.filename?.endsWith('.lic'));

describe('forged senders and throttles', () => {
  it("serves a contact's valid request after five forged failures in its name, and throttles the failures", async () => {
    const { code, contact } = await order('lockout');
    const deps = activationDeps(pipeline.ctx, { limits: { failuresPerSenderPerHour: 5 } });
    for (let i = 0; i < 6; i++) await handleRaw(deps, request(contact, `Wrong${i}x-Guess-Codee`));
    expect(repliesTo(contact)).toHaveLength(5); // the sixth failure goes unanswered
    const { folder } = await handleRaw(deps, request(contact, code));
    expect(folder).toBe('Processed');
    expect(keyFiles(repliesTo(contact).at(-1)!)).toHaveLength(1);
  });

  it('gives exactly the limit of answers to 30 failing mails at once', async () => {
    const deps = activationDeps(pipeline.ctx, { limits: { failuresPerSenderPerHour: 5 } });
    const folders = await Promise.all(
      Array.from({ length: 30 }, (_, i) => handleRaw(deps, request('burst@evil.example', `Burst${i}x-Guess-Codee`))),
    );
    expect(folders.every((f) => f.folder === 'Rejected')).toBe(true);
    expect(repliesTo('burst@evil.example')).toHaveLength(5);
  });

  it('caps answers per contact per hour, keys included (an auto-responder echoing Re: gets 5 of 7)', async () => {
    const { code, contact } = await order('loop');
    const deps = activationDeps(pipeline.ctx, { limits: { answersPerContactPerHour: 5 } });
    const folders = [];
    for (let i = 0; i < 7; i++)
      folders.push(
        (await handleRaw(deps, request(contact, code, 'JN11D2E7CAFB', `${'Re: '.repeat(i)}Aktivierung`))).folder,
      );
    expect(folders).toEqual(['Processed', 'Processed', 'Processed', 'Processed', 'Processed', 'Rejected', 'Rejected']);
    expect(repliesTo(contact)).toHaveLength(5);
  });

  it('caps answers per code per hour, whichever contact asks', async () => {
    const made = activationOrder('percode');
    made.event.salesOrder.contacts = [{ email: made.contact }, { email: `second.${made.contact}` }];
    expect((await pipeline.post('/v1/fulfillments', made.event)).statusCode).toBe(202);
    const deps = activationDeps(pipeline.ctx, { limits: { answersPerCodePerHour: 3 } });
    for (const from of [made.contact, `second.${made.contact}`, made.contact, `second.${made.contact}`])
      await handleRaw(deps, request(from, made.code));
    expect(repliesTo(made.contact).length + repliesTo(`second.${made.contact}`).length).toBe(3);
  });
});

describe('sender authentication', () => {
  it('does not answer a forged From of a domain whose DMARC policy is reject, and serves the same request DKIM-signed', async () => {
    const { code, contact } = await order('dmarc');
    const domain = contact.split('@')[1]!;
    const key = dkimKey(domain);
    const deps = activationDeps(pipeline.ctx, { dns: { [`_dmarc.${domain}`]: 'v=DMARC1; p=reject', ...key.record } });
    expect((await handleRaw(deps, request(contact, code))).folder).toBe('Rejected');
    expect(repliesTo(contact)).toHaveLength(0);
    expect((await handleRaw(deps, await dkimSigned(request(contact, code), key))).folder).toBe('Processed');
    expect(keyFiles(repliesTo(contact)[0]!)).toHaveLength(1);
  });

  it('with ACTIVATION_REQUIRE_DMARC serves only a passing From domain', async () => {
    const { code, contact } = await order('reqdmarc');
    const domain = contact.split('@')[1]!;
    const key = dkimKey(domain);
    const without = activationDeps(pipeline.ctx, { requireDmarc: true, dns: key.record });
    expect((await handleRaw(without, await dkimSigned(request(contact, code), key))).folder).toBe('Rejected');
    expect(repliesTo(contact)).toHaveLength(0);
    const withPolicy = activationDeps(pipeline.ctx, {
      requireDmarc: true,
      dns: { [`_dmarc.${domain}`]: 'v=DMARC1; p=none', ...key.record },
    });
    expect((await handleRaw(withPolicy, request(contact, code))).folder).toBe('Rejected');
    expect((await handleRaw(withPolicy, await dkimSigned(request(contact, code), key))).folder).toBe('Processed');
    expect(repliesTo(contact)).toHaveLength(1);
  });

  it('trusts only the topmost Authentication-Results of the named server, about the From domain', () => {
    const lines = (...values: string[]) =>
      values.map((v) => ({ key: 'authentication-results', line: `Authentication-Results: ${v}` }));
    const pass = 'mx.courier.example; dkim=pass header.d=a.example; dmarc=pass (p=REJECT) header.from=a.example';
    expect(trustedVerdict(lines(pass), 'mx.courier.example', 'a.example')).toEqual({
      dmarc: 'pass',
      policy: 'reject',
      source: 'authentication-results',
    });
    expect(trustedVerdict(lines(pass), 'other.example', 'a.example').dmarc).toBe('unknown');
    expect(trustedVerdict(lines(pass), 'mx.courier.example', 'b.example').dmarc).toBe('unknown');
    const fail = 'mx.courier.example; dmarc=fail (p=reject) header.from=a.example';
    expect(trustedVerdict(lines(fail, pass), 'MX.courier.example', 'a.example').dmarc).toBe('fail');
    expect(
      trustedVerdict(
        lines(`mx.courier.example; dmarc=pass header.from=a.example${' '.repeat(100_000)};`),
        'mx.courier.example',
        'a.example',
      ).dmarc,
    ).toBe('pass');
  });
});

describe('what an answer carries, and what is kept', () => {
  it('answers a code of a line not yet shipped with its ship date, and issues nothing', async () => {
    const { code, contact, event } = await order('future', { shipDate: '2099-03-01', locale: 'en' });
    const { folder } = await handleRaw(activationDeps(pipeline.ctx), request(contact, code));
    expect(folder).toBe('Rejected');
    const [reply] = repliesTo(contact);
    expect(reply!.parsed.text).toContain('March 1, 2099');
    expect(reply!.parsed.attachments).toHaveLength(0);
    expect(await pipeline.ctx.activations.issuedKeys(event.lines[0]!.ssrn as string)).toEqual([]);
  });

  it('says the quantity is used up, with nothing attached, when every device is refused', async () => {
    const { code, contact } = await order('usedup', { quantity: 1, locale: 'de' });
    const deps = activationDeps(pipeline.ctx);
    await handleRaw(deps, request(contact, code, 'JN11D2E7CAFB'));
    await handleRaw(deps, request(contact, code, 'JN99AB12CD34'));
    const last = repliesTo(contact).at(-1)!;
    expect(last.parsed.attachments).toHaveLength(0);
    expect(last.parsed.text).not.toMatch(/hier sind Ihre Lizenzschlüssel|angehängt/);
    expect(last.parsed.text).toContain('JN99AB12CD34');
  });

  it("stores the decision without the key's text, drops the raw message once filed, and files the message once", async () => {
    const { code, contact } = await order('stored');
    const deps = activationDeps(pipeline.ctx);
    const { uid } = await handleRaw(deps, request(contact, code));
    const keyText = keyFiles(repliesTo(contact)[0]!)[0]!.content.toString();
    const message = await pipeline.ctx.activations.message('1', uid);
    const stored = JSON.stringify(message);
    const keyBody = keyText
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .slice(1, 3)
      .join('');
    expect(keyBody.length).toBeGreaterThan(10);
    expect(stored).not.toContain(keyBody.slice(0, 16));
    expect(message?.folder).toBe('Processed');
    expect(message?.raw).toBeUndefined();
    expect(await handleActivationMessage(deps, '1', uid)).toBe('Processed');
    expect(repliesTo(contact)).toHaveLength(1);
  });
});
