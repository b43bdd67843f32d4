import type Mail from 'nodemailer/lib/mailer/index.js';

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
}

/** The MIME message as nodemailer takes it. The Message-ID is ours, stable per delivery, never generated. */
export function composeMessage(input: ComposeInput): Mail.Options {
  return {
    from: input.from,
    to: input.to.name ? { name: input.to.name, address: input.to.email } : input.to.email,
    subject: input.subject,
    // base64 is encoded natively; quoted-printable is a JavaScript loop over every character of a 20 KB HTML part.
    textEncoding: 'base64',
    ...(input.html && { html: input.html }),
    text: input.text,
    messageId: input.messageId,
    attachments: input.attachments.map((a) => ('raw' in a ? { raw: a.raw } : { filename: a.filename, content: a.content, contentType: a.contentType })),
    ...(input.inReplyTo && { inReplyTo: input.inReplyTo }),
    ...(input.references && { references: input.references }),
    headers: {
      ...(input.autoReply && { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' }),
      ...(input.deliveryId && { 'X-License-Courier-Delivery': input.deliveryId }),
    },
  };
}

export function certificateFileName(certificateNumber: string): string {
  return `Software-Entitlement-Certificate-${certificateNumber}.pdf`;
}
