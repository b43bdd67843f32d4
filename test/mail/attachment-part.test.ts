import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { attachmentPart } from '../../src/mail/attachment-part.ts';
import { composeMessage, type Attachment } from '../../src/mail/compose.ts';
import { messageBuilder } from '../../src/mail/transport.ts';

const attachments: Attachment[] = [
  { filename: 'Software-Entitlement-Certificate-C-1.pdf', content: Buffer.from('%PDF-1.7\n\u0000\u00ff binary', 'latin1'), contentType: 'application/pdf' },
  { filename: 'L-1-SN 1.lic', content: '# License key L-1 for device SN1\nKEY-AAAA-BBBB\n', contentType: 'text/plain; charset=us-ascii' },
  { filename: 'Zertifikat-Größe.pdf', content: Buffer.alloc(5000, 7), contentType: 'application/pdf' },
];

async function parsed(parts: Array<Attachment | { raw: Buffer }>) {
  const builder = messageBuilder();
  try {
    const { raw } = await builder.build(await composeMessage({
      from: 'licensing@example.net', to: { email: 'a@example.com' }, subject: 'S', text: 'body', html: '<p>body</p>', messageId: '<m@example.net>', attachments: parts,
    }));
    return await simpleParser(raw);
  } finally {
    builder.close();
  }
}

describe('attachment parts encoded once', () => {
  it('reach a mail client exactly as the same attachments composed per message', async () => {
    const direct = await parsed(attachments);
    const encoded = await parsed(await Promise.all(attachments.map(async (a) => ({ raw: await attachmentPart(a) }))));
    const view = (m: typeof direct) => m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, disposition: a.contentDisposition, content: a.content.toString('base64') }));
    expect(view(encoded)).toEqual(view(direct));
    expect(view(encoded).map((a) => a.filename)).toEqual(attachments.map((a) => a.filename));
    expect(encoded.text?.trim()).toBe('body');
  });
});
