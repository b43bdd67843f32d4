import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Attachment } from './compose.ts';

/**
 * An attachment as a finished MIME part (headers and encoded body), for nodemailer's `raw` attachment. A fulfillment's
 * certificate goes to every recipient; encoding it once instead of once per message saves most of a message's cost.
 * MailComposer builds the part, so its headers and transfer encoding are exactly what nodemailer would have written.
 */
export async function attachmentPart(a: Attachment): Promise<Buffer> {
  // A body beside the attachment makes the root multipart, so the attachment is a part of its own: the one we keep.
  const root = new MailComposer({ text: '-', attachments: [{ filename: a.filename, content: a.content, contentType: a.contentType }] }).compile();
  const part = root.childNodes.at(-1)!;
  return new Promise((resolve, reject) => part.build((error, built) => (error ? reject(error) : resolve(built))));
}
