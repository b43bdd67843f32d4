import { simpleParser, type Attachment } from 'mailparser';

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
const ORIGINAL_PARTS = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers']);
/** Only headers and attachments are read: no HTML/text conversions. */
const PLAIN = { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true } as const;

type Fields = Map<string, string>;

/**
 * The field groups of a delivery-status body: the per-message group, then one per recipient, separated by empty
 * lines. They look like header blocks but are not MIME parts, so mailparser hands the body over as it is.
 */
function fieldGroups(body: string): Fields[] {
  return body
    .split(/\r?\n[ \t]*\r?\n/)
    .filter((g) => g.trim() !== '')
    .map((group) => {
      const fields: Fields = new Map();
      for (const line of group.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        if (colon > 0 && !fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
      }
      return fields;
    });
}

const typed = (value: string | undefined) =>
  value
    ?.replace(/^[\w-]+\s*;\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();

function failedRecipient(fields: Fields): FailedRecipient | undefined {
  if (fields.get('action')?.toLowerCase() !== 'failed') return undefined;
  const recipient = typed(fields.get('final-recipient'))?.replace(/^<|>$/g, '');
  const status = /^\d\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0];
  if (!recipient || !status) return undefined;
  const diagnostic = typed(fields.get('diagnostic-code'));
  return { recipient, status, ...(diagnostic && { diagnostic }) };
}

/** The Message-ID of the returned message, or of its headers alone: mailparser reads either as a message. */
async function originalMessageIdOf(original: Attachment | undefined): Promise<string | undefined> {
  if (!original) return undefined;
  const { messageId } = await simpleParser(original.content, PLAIN);
  return messageId && /<[^<>\s]+>/.exec(messageId)?.[0];
}

/**
 * Reads a delivery status notification (multipart/report; report-type=delivery-status) with mailparser, which keeps
 * the status part as an attachment when asked to (keepDeliveryStatus). Anything else, including other reports such
 * as read receipts and auto-replies that merely talk about delivery, gives undefined.
 */
export async function parseDsn(raw: Buffer): Promise<DeliveryStatusReport | undefined> {
  const message = await simpleParser(raw, { ...PLAIN, keepDeliveryStatus: true });
  const type = message.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const reportType = type?.params?.['report-type']?.toLowerCase() ?? '';
  if (type?.value !== 'multipart/report' || !REPORT_TYPES.has(reportType)) return undefined;
  const status = message.attachments.find((a) => STATUS_PARTS.has(a.contentType));
  if (!status) return undefined;
  const original = message.attachments.find((a) => ORIGINAL_PARTS.has(a.contentType));
  const originalMessageId = await originalMessageIdOf(original);
  const [, ...recipients] = fieldGroups(status.content.toString('utf8'));
  const failed = recipients.map(failedRecipient).filter((r): r is FailedRecipient => r !== undefined);
  return { ...(originalMessageId && { originalMessageId }), failed };
}
