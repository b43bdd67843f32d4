import { simpleParser, type ParsedMail } from 'mailparser';
import { MAX_INPUT, MAX_SUBJECT } from './extract-request.ts';

/**
 * What of one inbound message is read at most. Hostile mail can be any size and shape; each cap bounds the work of
 * one step, so the time to answer a message is linear in these numbers, not in what was sent.
 */
export const INBOUND_LIMITS = {
  /** Bytes of a message fetched from the mailbox and parsed; the rest is never read. */
  messageBytes: 128 * 1024,
  /** Lines of a message parsed (mailparser's work grows with lines; 128 KiB of base64 is under 2,000). */
  messageLines: 10_000,
  /** Bytes of the header block of the message or of one MIME part (mailparser's own default is 1 MiB). */
  headerBytes: 64 * 1024,
  /** MIME parts of one message; past it parsing stops and the message is filed in Rejected unanswered. */
  mimeParts: 256,
  /** Characters of the plain-text body (else of the HTML body) searched for a request. */
  bodyChars: MAX_INPUT,
  /** Characters of the subject searched for a request. */
  subjectChars: MAX_SUBJECT,
} as const;

/**
 * Parses a message capped at INBOUND_LIMITS.messageBytes. mailparser's conversions between text and HTML are turned
 * off: they would convert the whole body, and only the capped part is ever read. Throws on MIME it refuses (too many
 * parts, headers too large).
 */
export function parseInboundMail(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(firstLines(raw.subarray(0, INBOUND_LIMITS.messageBytes), INBOUND_LIMITS.messageLines), {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
    maxChildNodes: INBOUND_LIMITS.mimeParts,
    maxHeadSize: INBOUND_LIMITS.headerBytes,
  } as Parameters<typeof simpleParser>[1]);
}

function firstLines(raw: Buffer, lines: number): Buffer {
  let at = -1;
  for (let n = 0; n < lines; n++) {
    at = raw.indexOf(10, at + 1);
    if (at === -1) return raw;
  }
  return raw.subarray(0, at + 1);
}

/** The parts of a message a request is read from. */
export function requestParts(mail: ParsedMail): { subject?: string; text?: string; html?: string } {
  return {
    ...(mail.subject && { subject: mail.subject }),
    ...(mail.text && { text: mail.text }),
    ...(typeof mail.html === 'string' && { html: mail.html }),
  };
}
