import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMessage, type ComposeInput } from '../../src/mail/compose.ts';

const base: ComposeInput = {
  from: 'Acme Licensing <licensing@example.net>',
  to: { email: 'jorg@example.com', name: 'Jörg Müller, "IT"' },
  subject: 'Your licenses – 注文 42',
  text: 'Hello Jörg,\nyour licenses.\n',
  html: '<p>Hello J&ouml;rg,</p>\n<p>your licenses.</p>\n',
  messageId: '<f-42-abc@example.net>',
  deliveryId: 'f-42-abc',
  attachments: [
    {
      filename: 'Software-Entitlement-Certificate-C-42.pdf',
      content: Buffer.from('%PDF-1.7 \u0000\u00ff', 'latin1'),
      contentType: 'application/pdf',
    },
  ],
};

const headerBlock = (raw: Buffer) => raw.toString('latin1').split('\r\n\r\n')[0]!;

describe('composeMessage', () => {
  it('writes a message a mail client reads back field for field, addressed by its envelope', async () => {
    const message = composeMessage(base);
    expect(message.envelope).toEqual({ from: 'licensing@example.net', to: ['jorg@example.com'] });
    expect(message.messageId).toBe(base.messageId);
    const mail = await simpleParser(message.raw);
    expect(mail.subject).toBe(base.subject);
    expect(mail.to).toMatchObject({ value: [{ address: 'jorg@example.com', name: 'Jörg Müller, "IT"' }] });
    expect(mail.from?.value[0]).toMatchObject({ address: 'licensing@example.net', name: 'Acme Licensing' });
    expect(mail.messageId).toBe(base.messageId);
    expect(mail.headers.get('x-license-courier-delivery')).toBe('f-42-abc');
    expect(mail.text).toBe(base.text);
    expect(mail.html).toBe(base.html);
    expect(mail.attachments.map((a) => [a.filename, a.contentType, a.content.toString('latin1')])).toEqual([
      ['Software-Entitlement-Certificate-C-42.pdf', 'application/pdf', '%PDF-1.7 \u0000\u00ff'],
    ]);
  });

  it('is plain 7-bit ASCII with CRLF line ends and no line over 998 octets, whatever the text', async () => {
    const long = 'x'.repeat(5000);
    for (const input of [base, { ...base, html: `<p>${long}</p>` }, { ...base, text: `bare\rCR and ${long}` }]) {
      const raw = composeMessage(input).raw.toString('latin1');
      expect(raw).toMatch(/^[\t\r\n\x20-\x7e]*$/);
      expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      expect(Math.max(...raw.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(998);
      const mail = await simpleParser(Buffer.from(raw, 'latin1'));
      expect(mail.html).toBe(input.html);
      expect(mail.text).toBe(input.text);
    }
  });

  it('sends ASCII HTML as it is and other text as base64', async () => {
    const raw = composeMessage(base).raw.toString('latin1');
    expect(raw).toContain(
      'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n<p>Hello J&ouml;rg,</p>\r\n',
    );
    expect(raw).toContain('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64');
  });

  it('writes a text-only reply with its threading and auto-reply headers and no multipart wrapper', async () => {
    const { raw } = composeMessage({
      from: 'licensing@example.net',
      to: { email: 'a@example.com' },
      subject: 'Re: activation',
      text: 'Your key:\nKEY\n',
      messageId: '<act-1@example.net>',
      inReplyTo: '<q@example.com>',
      references: ['<q@example.com>'],
      autoReply: true,
      attachments: [],
    });
    const head = headerBlock(raw);
    expect(head).toMatch(/^Content-Type: text\/plain; charset=utf-8$/m);
    expect(head).not.toMatch(/multipart/);
    const mail = await simpleParser(raw);
    expect(mail.inReplyTo).toBe('<q@example.com>');
    expect(mail.references).toBe('<q@example.com>');
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.text).toBe('Your key:\nKEY\n');
    expect(mail.attachments).toEqual([]);
  });

  it('gives every multipart of a message its own boundary', async () => {
    const head = composeMessage(base).raw.toString('latin1');
    const declared = [...head.matchAll(/boundary="([^"]+)"/g)].map((m) => m[1]);
    expect(declared).toHaveLength(2);
    expect(new Set(declared).size).toBe(2);
  });
});
