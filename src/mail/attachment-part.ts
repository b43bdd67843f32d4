import MimeNode from 'nodemailer/lib/mime-node/index.js';
import { encode, wrap } from 'nodemailer/lib/base64/index.js';

export interface Attachment {
  filename: string;
  content: Buffer | string;
  contentType: string;
}

/**
 * An attachment as a finished MIME part (headers and base64 body, ending in CRLF), for compose.ts. A fulfillment's
 * certificate goes to every recipient; encoding it once instead of once per message saves most of a message's cost.
 * nodemailer's MimeNode writes the headers (the name and filename parameters, encoded where the name is not ASCII),
 * as a child node so that it adds no Date, Message-ID or MIME-Version; building the body through its streams cost
 * more than the encoding itself.
 */
export function attachmentPart(a: Attachment): Buffer {
  const content = typeof a.content === 'string' ? Buffer.from(a.content, 'utf8') : a.content;
  const node = new MimeNode('multipart/mixed', { baseBoundary: 'unused' }).createChild(a.contentType, {
    filename: a.filename,
  });
  node.setContent(content);
  node.setHeader({ 'Content-Transfer-Encoding': 'base64', 'Content-Disposition': 'attachment' });
  return Buffer.from(`${node.buildHeaders()}\r\n\r\n${wrap(encode(content))}\r\n`, 'latin1');
}
