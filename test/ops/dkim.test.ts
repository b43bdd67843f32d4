import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { rawExample } from '../support/events.ts';

// Verified by Debian's python3-dkim, not by the library that signed: the DNS lookup is answered from a file.
const VERIFY = `
import sys, dkim
record = open(sys.argv[1], 'rb').read()
print(dkim.verify(sys.stdin.buffer.read(), dnsfunc=lambda name, timeout=5: record if name == b'lc2026._domainkey.courier.example.' else None))
`;

const dir = mkdtempSync(join(tmpdir(), 'lc-dkim-'));
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let pipeline: TestPipeline;
let sink: SmtpSink;

beforeAll(async () => {
  writeFileSync(
    join(dir, 'record.txt'),
    `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  );
  writeFileSync(join(dir, 'dkim.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  sink = await startSmtpSink();
  pipeline = await startPipeline({
    SMTP_URL: sink.url,
    MAIL_FROM: 'Licensing <licensing@courier.example>',
    DKIM_DOMAIN: 'courier.example',
    DKIM_SELECTOR: 'lc2026',
    DKIM_PRIVATE_KEY: join(dir, 'dkim.pem'),
  });
  await pipeline.post('/v1/fulfillments', rawExample('order-ex-srx'));
  await sink.waitFor(2);
});
afterAll(async () => {
  await pipeline.close();
  await sink.close();
});

const verify = (raw: Buffer) =>
  execFileSync('/usr/bin/python3', ['-c', VERIFY, join(dir, 'record.txt')], { input: raw, encoding: 'utf8' }).trim();

describe('DKIM', () => {
  it('signs outgoing mail so that an independent verifier accepts it', () => {
    const raw = sink.messages[0]!.raw;
    expect(raw.toString('latin1')).toMatch(/^DKIM-Signature: .*d=courier\.example;.*s=lc2026;/ms);
    expect(verify(raw)).toBe('True');
  });

  it('fails verification once the body or a signed header is altered', () => {
    const raw = sink.messages[1]!.raw.toString('latin1');
    const bodyStart = raw.indexOf('\r\n\r\n') + 4;
    // One letter of the body, half-way through, changed: the body hash no longer matches.
    const middle = bodyStart + Math.floor((raw.length - bodyStart) / 2);
    const at = middle + raw.slice(middle).search(/[A-Za-z]/);
    const flipped = raw.slice(0, at) + (raw[at] === 'A' ? 'B' : 'A') + raw.slice(at + 1);
    expect(flipped).not.toBe(raw);
    expect(verify(Buffer.from(flipped, 'latin1'))).toBe('False');
    const retitled = raw.replace(/^Subject: (.*)$/m, 'Subject: $1 (changed)');
    expect(retitled).not.toBe(raw);
    expect(verify(Buffer.from(retitled, 'latin1'))).toBe('False');
    expect(verify(Buffer.from(raw, 'latin1'))).toBe('True');
  });
});
