import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import { attachmentPart, type Attachment } from '../../src/mail/attachment-part.ts';
import { composeMessage } from '../../src/mail/compose.ts';
import { messageBuilder } from '../../src/mail/transport.ts';

const attachments: Attachment[] = [
  {
    filename: 'Software-Entitlement-Certificate-C-1.pdf',
    content: Buffer.from('%PDF-1.7\n\u0000\u00ff binary', 'latin1'),
    contentType: 'application/pdf',
  },
  {
    filename: 'L-1-SN 1.lic',
    content: '# License key L-1 for device SN1\nKEY-AAAA-BBBB\n',
    contentType: 'text/plain; charset=us-ascii',
  },
  { filename: 'Zertifikat-Größe.pdf', content: Buffer.alloc(5000, 7), contentType: 'application/pdf' },
  { filename: 'ライセンス キー.lic', content: 'キー\n', contentType: 'text/plain; charset=utf-8' },
  { filename: `${'x'.repeat(120)}.pdf`, content: Buffer.alloc(10), contentType: 'application/pdf' },
];

/** The part nodemailer's MailComposer writes for the attachment, through its own streams. */
async function nodemailersPart(a: Attachment): Promise<Buffer> {
  // A body beside the attachment makes the root multipart, so the attachment is a part of its own.
  const root = new MailComposer({
    text: '-',
    attachments: [{ filename: a.filename, content: a.content, contentType: a.contentType }],
  }).compile();
  return new Promise((resolve, reject) =>
    root.childNodes.at(-1)!.build((error, built) => (error ? reject(error) : resolve(built))),
  );
}

describe('attachment parts encoded once', () => {
  it.each(attachments.map((a) => [a.filename, a] as const))(
    '%s: the very bytes nodemailer writes for it',
    async (_name, a) => {
      expect(attachmentPart(a).toString('latin1')).toBe((await nodemailersPart(a)).toString('latin1'));
    },
  );

  it('reach a mail client with their names, types and contents', async () => {
    const builder = messageBuilder();
    try {
      const { raw } = await builder.build(
        composeMessage({
          from: 'licensing@example.net',
          to: { email: 'a@example.com' },
          subject: 'S',
          text: 'body',
          html: '<p>body</p>',
          messageId: '<m@example.net>',
          attachments: attachments.map((a) => ({ raw: attachmentPart(a) })),
        }),
      );
      const parsed = await simpleParser(raw);
      expect(
        parsed.attachments.map((p) => ({
          filename: p.filename,
          contentType: p.contentType,
          disposition: p.contentDisposition,
          content: p.content.toString('base64'),
        })),
      ).toEqual(
        attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType.split(';')[0],
          disposition: 'attachment',
          content: Buffer.from(a.content).toString('base64'),
        })),
      );
      expect(parsed.text?.trim()).toBe('body');
    } finally {
      builder.close();
    }
  });
});
