import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractActivationRequest } from '../../src/inbound/extract-request.ts';
import { parseInboundMail, requestParts } from '../../src/inbound/parse-mail.ts';

// Random Unicode, labels the parser looks for, and long runs of whitespace and of what its patterns repeat. A pattern
// that backtracks super-linearly turns one of these runs into seconds; each run here is up to 100,000 characters, so
// such a regression shows as this test's timeout, not as a flaky timing assertion.
const LABELS = [
  'code',
  'Activation code:',
  'Aktivierungscode',
  'コード',
  'serial',
  'S/N',
  'sn',
  'Seriennummer',
  'UUID',
  'device',
  'ssrn',
  'order number',
  '> ',
  'On Mon wrote:',
  '-- ',
  '<pre>',
  '<script>',
  '<div>',
  '=?utf-8?q?a?=',
];
const UNITS = [' ', '\n', '\t', '\r\n', ' :', '-', '_', 'A', 'a1', 'Ab1d-', '0123456789abcdef-', 'sn ', '> ', '<a '];

const run = fc
  .tuple(fc.constantFrom(...UNITS), fc.integer({ min: 1, max: 100_000 }))
  .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)));
const piece = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...LABELS),
  fc.constant('Mk3pWz-7HqRt-Bn4VxC'),
  fc.constant('JN11D2E7CAFB'),
  run,
);
const body = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));

/** A MIME message of random structure: nested multiparts, text and HTML leaves, random headers, cut anywhere. */
const leaf = fc
  .tuple(
    fc.constantFrom('text/plain', 'text/html', 'application/octet-stream', 'message/rfc822'),
    fc.constantFrom('7bit', 'base64', 'quoted-printable', 'x-bad'),
    body,
  )
  .map(
    ([type, encoding, text]) =>
      `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${encoding === 'base64' ? Buffer.from(text).toString('base64') : text}`,
  );
const entity: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(fc.array(tie('e'), { maxLength: 4 }), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }))
      .map(
        ([parts, b]) =>
          `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n${parts.map((p) => `--${b}\r\n${p}\r\n`).join('')}--${b}--\r\n`,
      ),
  ),
})).e;
const message = fc.tuple(fc.string({ maxLength: 60 }), entity, fc.nat()).map(([subject, e, cut]) => {
  const raw = Buffer.from(
    `From: someone@example.net\r\nSubject: ${subject.replace(/[\r\n]/g, ' ')}\r\nMIME-Version: 1.0\r\n${e}`,
  );
  return raw.subarray(0, cut % 2 === 0 ? raw.length : cut % (raw.length + 1));
});

describe('the activation request parser under random input', () => {
  it('never throws on text, and finds only codes and devices that are in it', () => {
    fc.assert(
      fc.property(
        fc.record({
          subject: fc.option(body, { nil: undefined }),
          text: fc.option(body, { nil: undefined }),
          html: fc.option(body, { nil: undefined }),
        }),
        (input) => {
          const parts = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as {
            subject?: string;
            text?: string;
            html?: string;
          };
          const { codes, devices } = extractActivationRequest(parts);
          const all = `${parts.subject ?? ''}${parts.text ?? ''}${parts.html ?? ''}`.toUpperCase();
          for (const c of codes) expect(all).toContain(c.toUpperCase());
          expect(devices.length).toBeLessThanOrEqual(5100);
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it('parses random MIME structures or refuses them with an error, and never throws while extracting', async () => {
    await fc.assert(
      fc.asyncProperty(message, async (raw) => {
        const mail = await parseInboundMail(raw).catch((error: unknown) => {
          expect(error).toBeInstanceOf(Error);
          return undefined;
        });
        if (mail) extractActivationRequest(requestParts(mail));
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
