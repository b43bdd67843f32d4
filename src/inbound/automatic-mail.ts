// Mail that a machine wrote must never be answered: that is how reply loops and backscatter start (RFC 3834).

type HeaderValue = unknown;

function headerText(v: HeaderValue): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && 'value' in (v as object)) return String((v as { value: unknown }).value);
  if (typeof v === 'object' && 'text' in (v as object)) return String((v as { text: unknown }).text);
  return String(v);
}

const SYSTEM_SENDER = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply|autoresponder)([+-].*)?@/i;

/**
 * Why a message counts as automatic (and gets no reply), or undefined for mail a person wrote. Header names are
 * lowercase; a header given several times holds its values one per line, and any of them counts.
 */
export function isAutomaticMail(headers: ReadonlyMap<string, HeaderValue>, from: string, ownAddresses: string[]): string | undefined {
  const all = (name: string) => headerText(headers.get(name)).toLowerCase().split('\n').map((v) => v.trim()).filter(Boolean);
  const h = (name: string) => all(name)[0] ?? '';
  const sender = from.trim().toLowerCase();
  if (ownAddresses.some((a) => a.toLowerCase() === sender)) return 'sent from this service\'s own address';
  const autoSubmitted = all('auto-submitted').find((v) => v !== 'no');
  if (autoSubmitted) return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = all('precedence').find((v) => ['bulk', 'list', 'junk', 'auto_reply'].includes(v));
  if (precedence) return `Precedence: ${precedence}`;
  if (SYSTEM_SENDER.test(sender)) return 'sent by a mail system or a no-reply address';
  if (h('x-autoreply') || h('x-autorespond') || h('x-auto-reply')) return 'marked as an automatic reply';
  if (h('list-id') || h('list-unsubscribe')) return 'sent through a mailing list';
  if (all('content-type').some((v) => v.startsWith('multipart/report'))) return 'a delivery or read report';
  if (all('return-path').includes('<>')) return 'sent with an empty envelope sender';
  return undefined;
}
