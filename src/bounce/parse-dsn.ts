import { contentType, decodedBody, header, multipartParts, parseHeaderBlock, splitPart, type Headers } from './mime.ts';

/** One recipient a report says was not delivered and will not be (Action: failed). */
export interface FailedRecipient {
  /** Final-Recipient: the address the reporting MTA tried last (after forwarding, it may differ from ours). */
  recipient: string;
  /** Status, e.g. 5.1.1. */
  status: string;
  /** Diagnostic-Code without its type, e.g. "550 5.1.1 User unknown". */
  diagnostic?: string;
}

export interface DeliveryStatusReport {
  /** Message-ID of the message the report is about, from the returned message or its headers. */
  originalMessageId?: string;
  /** Empty when the report only says delivery is delayed or succeeded: a DSN, but not a bounce. */
  failed: FailedRecipient[];
}

// RFC 3464, and RFC 6533 for internationalized reports.
const REPORT_TYPES = new Set(['delivery-status', 'global-delivery-status']);
const STATUS_PARTS = new Set(['message/delivery-status', 'message/global-delivery-status']);
const MESSAGE_PARTS = new Set(['message/rfc822', 'message/global']);
const HEADER_PARTS = new Set(['text/rfc822-headers', 'message/global-headers']);

const typed = (value: string | undefined) => value?.replace(/^[\w-]+\s*;\s*/, '').replace(/\s+/g, ' ').trim();

function failedRecipient(fields: Headers): FailedRecipient | undefined {
  if (header(fields, 'action')?.toLowerCase() !== 'failed') return undefined;
  const recipient = typed(header(fields, 'final-recipient'))?.replace(/^<|>$/g, '');
  const status = /^\d\.\d{1,3}\.\d{1,3}/.exec(header(fields, 'status') ?? '')?.[0];
  if (!recipient || !status) return undefined;
  const diagnostic = typed(header(fields, 'diagnostic-code'));
  return { recipient, status, ...(diagnostic && { diagnostic }) };
}

/** Per-recipient field groups follow the per-message group, each separated by an empty line. */
function failedRecipients(statusBody: Buffer): FailedRecipient[] {
  const [, ...groups] = statusBody.toString('utf8').split(/\r?\n[ \t]*\r?\n/).filter((g) => g.trim() !== '');
  return groups.map((g) => failedRecipient(parseHeaderBlock(g))).filter((r): r is FailedRecipient => r !== undefined);
}

function messageIdOf(headers: Headers): string | undefined {
  return /<[^<>\s]+>/.exec(header(headers, 'message-id') ?? '')?.[0];
}

/**
 * Reads a delivery status notification (multipart/report; report-type=delivery-status). Anything else, including
 * other reports such as read receipts and auto-replies that merely talk about delivery, gives undefined.
 */
export function parseDsn(raw: Buffer): DeliveryStatusReport | undefined {
  const message = splitPart(raw);
  const { type, params } = contentType(message.headers);
  if (type !== 'multipart/report' || !REPORT_TYPES.has(params['report-type']?.toLowerCase() ?? '') || !params.boundary) return undefined;
  const parts = multipartParts(message.body, params.boundary);
  const statusPart = parts.find((p) => STATUS_PARTS.has(contentType(p.headers).type));
  if (!statusPart) return undefined;
  const original = parts.find((p) => MESSAGE_PARTS.has(contentType(p.headers).type) || HEADER_PARTS.has(contentType(p.headers).type));
  const originalHeaders = original && (MESSAGE_PARTS.has(contentType(original.headers).type)
    ? splitPart(decodedBody(original)).headers
    : parseHeaderBlock(decodedBody(original).toString('utf8')));
  const originalMessageId = originalHeaders && messageIdOf(originalHeaders);
  return { ...(originalMessageId && { originalMessageId }), failed: failedRecipients(decodedBody(statusPart)) };
}
