import { randomBytes } from 'node:crypto';
import MimeNode from 'nodemailer/lib/mime-node/index.js';
import { attachmentPart } from './attachment-part.ts';
import { base64Lines } from './base64-lines.ts';

export interface Attachment {
  filename: string;
  content: Buffer | string;
  contentType: string;
}

/** An attachment already encoded as a MIME part (attachment-part.ts), shared by many messages. */
export interface EncodedAttachment {
  raw: Buffer;
}

export interface ComposeInput {
  from: string;
  to: { email: string; name?: string };
  subject: string;
  /** Absent for plain-text replies. */
  html?: string;
  text: string;
  messageId: string;
  attachments: Array<Attachment | EncodedAttachment>;
  /** Threading and auto-reply markers for replies to inbound mail. */
  inReplyTo?: string;
  references?: string[];
  autoReply?: boolean;
  deliveryId?: string;
  /**
   * Messages of a stream people may leave (subscription notices): where to unsubscribe, by HTTPS (RFC 8058 one-click
   * POST) and by mail. They are also marked as sent by a machine (RFC 3834), so auto-responders leave them alone.
   */
  unsubscribe?: { url: string; mailto: string };
}

/** A message ready to go: its bytes, and the envelope (MAIL FROM, RCPT TO) an SMTP server is told. */
export interface ComposedMessage {
  envelope: { from: string; to: string[] };
  messageId: string;
  raw: Buffer;
}

const CRLF = '\r\n';
/** RFC 5322's limit on a line, in octets, not counting CRLF. */
const MAX_LINE = 998;

/** Printable ASCII and line feeds only (a lone CR is not allowed), no line over the limit: such a body goes as it is (7bit). */
function fitsSevenBit(text: string): boolean {
  if (!/^[\t\n\x20-\x7e]*$/.test(text)) return false;
  let start = 0;
  for (let eol = text.indexOf('\n'); eol !== -1; eol = text.indexOf('\n', start)) {
    if (eol - start > MAX_LINE) return false;
    start = eol + 1;
  }
  return text.length - start <= MAX_LINE;
}

/** A MIME entity: its content headers and its body (which holds no trailing line break: that is the delimiter's). */
interface Entity {
  contentType: string;
  transferEncoding?: '7bit' | 'base64';
  body: Array<string | Buffer>;
}

/**
 * A text or HTML body. The HTML is ASCII unless the data has other characters, and sending it as it is keeps the
 * message a quarter smaller than base64 would.
 */
function textEntity(subtype: 'plain' | 'html', text: string): Entity {
  const contentType = `text/${subtype}; charset=utf-8`;
  return fitsSevenBit(text)
    ? { contentType, transferEncoding: '7bit', body: [text.replace(/\n/g, CRLF)] }
    : { contentType, transferEncoding: 'base64', body: [base64Lines(Buffer.from(text, 'utf8'))] };
}

// Boundaries must be unique within a message and absent from its content (base64 has no "_" or "-"; the 7bit HTML
// would have to guess this process's random part). A counter is enough for that, and randomBytes per message cost
// more than building the rest of the body.
const boundaryPrefix = `----=_lc_${randomBytes(9).toString('base64url')}_`;
let boundaries = 0;

function multipartEntity(subtype: 'alternative' | 'mixed', parts: Array<Entity | Buffer>): Entity {
  const b = `${boundaryPrefix}${(boundaries++).toString(36)}`;
  return {
    contentType: `multipart/${subtype}; boundary="${b}"`,
    body: [...parts.flatMap((p) => [`--${b}${CRLF}`, ...(Buffer.isBuffer(p) ? [withoutFinalBreak(p)] : serialize(p)), CRLF]), `--${b}--`],
  };
}

/** An entity as the chunks of its header block and body, concatenated once for the whole message. */
function serialize(e: Entity): Array<string | Buffer> {
  return [`Content-Type: ${e.contentType}${CRLF}${e.transferEncoding ? `Content-Transfer-Encoding: ${e.transferEncoding}${CRLF}` : ''}${CRLF}`, ...e.body];
}

const withoutFinalBreak = (part: Buffer) => (part.subarray(-2).toString() === CRLF ? part.subarray(0, -2) : part);

function toBuffer(chunk: string | Buffer): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/**
 * The complete RFC 5322 message, as nodemailer sends it (`raw`, with the envelope beside it). nodemailer's MimeNode
 * writes the header block (address and subject encoding, folding, Date, MIME-Version); the body is assembled here in
 * one buffer, because nodemailer's tree of streams cost more CPU than the SMTP exchange itself and reached the socket
 * in hundreds of small writes. The structure is nodemailer's: text and HTML as alternatives, attachments beside them.
 * The Message-ID is ours, stable per delivery, never generated.
 */
export function composeMessage(input: ComposeInput): ComposedMessage {
  const attachments = input.attachments.map((a) => ('raw' in a ? a.raw : attachmentPart(a)));
  const text = textEntity('plain', input.text);
  const content = input.html ? multipartEntity('alternative', [text, textEntity('html', input.html)]) : text;
  const top = attachments.length ? multipartEntity('mixed', [content, ...attachments]) : content;

  // baseBoundary given: MimeNode would otherwise draw random bytes for boundaries it never writes here.
  const root = new MimeNode(top.contentType, { textEncoding: 'base64', baseBoundary: 'unused' });
  root.setHeader({
    from: input.from,
    to: input.to.name ? { name: input.to.name, address: input.to.email } : input.to.email,
    subject: input.subject,
    'message-id': input.messageId,
    ...(input.inReplyTo && { 'in-reply-to': input.inReplyTo }),
    ...(input.references && { references: input.references }),
    ...(input.autoReply && { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' }),
    ...(input.deliveryId && { 'X-License-Courier-Delivery': input.deliveryId }),
    ...(input.unsubscribe && {
      'Auto-Submitted': 'auto-generated',
      'List-Unsubscribe': `<${input.unsubscribe.url}>, <${input.unsubscribe.mailto}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    }),
    ...(top.transferEncoding && { 'Content-Transfer-Encoding': top.transferEncoding }),
  });
  return {
    envelope: root.getEnvelope() as ComposedMessage['envelope'],
    messageId: input.messageId,
    // A multipart ends with a line break after its closing delimiter; a single part ends where its text ends.
    raw: Buffer.concat([`${root.buildHeaders()}${CRLF}${CRLF}`, ...top.body, ...(top.transferEncoding ? [] : [CRLF])].map(toBuffer)),
  };
}

export function certificateFileName(certificateNumber: string): string {
  return `Software-Entitlement-Certificate-${certificateNumber}.pdf`;
}
