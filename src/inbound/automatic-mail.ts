// Mail that a machine wrote must never be answered: that is how reply loops and backscatter start (RFC 3834).

type Headers = ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>;

/** Every value of a header as lowercase text: raw strings, mailparser's structured values, or several of either. */
function values(headers: Headers, name: string): string[] {
  const raw =
    headers instanceof Map ? headers.get(name) : Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  const flatten = (v: unknown): string[] => {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.flatMap(flatten);
    // mailparser's address objects: Return-Path: <> comes back as { address: '' }.
    if (typeof v === 'object' && 'address' in v) return [`<${String((v as { address: unknown }).address ?? '')}>`];
    if (typeof v === 'object' && 'value' in v) return flatten((v as { value: unknown }).value);
    if (typeof v === 'object' && 'text' in v) return flatten((v as { text: unknown }).text);
    return String(v).split('\n');
  };
  return flatten(raw)
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
}

const SYSTEM_SENDER =
  /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply|autoresponder)([+-].*)?@/i;

/** The bare address of `Name <addr>` or `addr`. */
function address(from: string): string {
  return (/<([^<>]*)>\s*$/.exec(from)?.[1] ?? from).trim().toLowerCase();
}

/**
 * Why a message counts as automatic (and gets no reply), or undefined for mail a person wrote. Header names are
 * matched case-insensitively (a Map is expected to hold lowercase names, as mailparser's does); a header given several
 * times holds its values as an array or one per line, and any of them counts.
 */
export function isAutomaticMail(headers: Headers, from: string, ownAddresses: string[]): string | undefined {
  const has = (name: string) => values(headers, name).length > 0;
  const sender = address(from);
  if (ownAddresses.some((a) => address(a) === sender)) return "sent from this service's own address";
  const autoSubmitted = values(headers, 'auto-submitted').find((v) => !/^no\b/.test(v));
  if (autoSubmitted) return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = values(headers, 'precedence').find((v) => ['bulk', 'list', 'junk', 'auto_reply'].includes(v));
  if (precedence) return `Precedence: ${precedence}`;
  if (SYSTEM_SENDER.test(sender)) return 'sent by a mail system or a no-reply address (mailer-daemon sender)';
  if (has('x-autoreply') || has('x-autorespond') || has('x-auto-reply')) return 'marked as an automatic reply';
  if (has('list-id') || has('list-unsubscribe')) return 'sent through a mailing list';
  if (values(headers, 'content-type').some((v) => v.startsWith('multipart/report'))) return 'a delivery or read report';
  if (values(headers, 'return-path').includes('<>')) return 'sent with an empty envelope sender';
  return undefined;
}
