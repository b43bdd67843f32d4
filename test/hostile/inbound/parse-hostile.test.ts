import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { isAutomaticMail } from '../../../src/inbound/automatic-mail.ts';
import { extractActivationRequest } from '../../../src/inbound/extract-request.ts';
import { rawHeaders } from '../../../src/inbound/raw-headers.ts';
import { hostileInboundCorpus } from './corpus.ts';

/** Never feed the parser more than this of one message, whatever arrives. */
const RAW_CAP = 25 * 1024 * 1024;
const OWN = ['activate@example.net', 'licensing@courier.example'];
const corpus = hostileInboundCorpus();

/** Parses one raw message the way the activation worker does, and runs both inbound functions on it. */
async function inspect(raw: Buffer) {
  const mail = await simpleParser(raw.subarray(0, RAW_CAP));
  const from = mail.from?.value[0]?.address ?? '';
  const html = typeof mail.html === 'string' ? mail.html : undefined;
  const request = extractActivationRequest({
    ...(mail.subject && { subject: mail.subject }),
    ...(mail.text && { text: mail.text }),
    ...(html && { html }),
  });
  return {
    automatic: isAutomaticMail(rawHeaders(mail.headerLines), from, OWN),
    request,
    from,
    seen: `${mail.subject ?? ''}\n${mail.text ?? ''}\n${html ?? ''}`,
  };
}

describe('hostile inbound mail through mailparser and the request parser', () => {
  it('has at least 100 messages, among them literal .eml files, each with a unique name', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    expect(corpus.filter((m) => m.name.startsWith('eml ')).length).toBeGreaterThanOrEqual(5);
    expect(new Set(corpus.map((m) => m.name)).size).toBe(corpus.length);
  });

  it.each(corpus.map((m) => [m.name, m] as const))(
    '%s',
    async (_name, m) => {
      const { automatic, request, from, seen } = await inspect(m.raw);
      if (m.expect.automatic === true) expect(automatic).toBeDefined();
      if (m.expect.automatic === false) expect(automatic).toBeUndefined();
      if (m.expect.noSender) expect(from).toBe('');
      // Nothing invented: every code and device found is in the text the parser decoded.
      for (const code of request.codes) expect(seen).toContain(code);
      for (const device of request.devices) expect(seen.toLowerCase()).toContain(device.toLowerCase());
      expect(request.codes.length).toBeLessThanOrEqual(5);
    },
    60_000,
  );
});
