import type { DNSResolver } from 'mailauth';

/** What is known of whether a message's From domain sent it (DMARC, RFC 7489). */
export interface SenderVerdict {
  /** pass, fail, none (no policy), temperror, permerror; 'unknown' when nothing was checked or found. */
  dmarc: string;
  /** The From domain's published policy, when known: none, quarantine, reject. */
  policy?: string;
  /** Where the verdict came from. */
  source: 'mailauth' | 'authentication-results';
}

/**
 * May a request be answered at all, given its verdict? With requireDmarc only a passing From domain; otherwise
 * everything except mail that fails a domain's DMARC policy of quarantine or reject: the domain's owner says such mail
 * is forged, and answering it would only reach (and lock out) the person whose address was forged.
 */
export function senderAccepted(verdict: SenderVerdict, requireDmarc: boolean): boolean {
  if (requireDmarc) return verdict.dmarc === 'pass';
  return !(verdict.dmarc === 'fail' && (verdict.policy === 'quarantine' || verdict.policy === 'reject'));
}

/** Verifies DKIM, SPF (from the topmost Received header) and DMARC with mailauth; DNS through `resolver` when given. */
export async function verifySender(
  raw: Buffer,
  options: { resolver?: DNSResolver; mta?: string } = {},
): Promise<SenderVerdict> {
  // Loaded on first use: it takes longer to load than the rest of a CLI command that never needs it.
  const { authenticate } = await import('mailauth');
  const result = await authenticate(raw, {
    trustReceived: true,
    disableArc: true,
    disableBimi: true,
    ...(options.resolver && { resolver: options.resolver }),
    ...(options.mta && { mta: options.mta }),
  });
  if (!result.dmarc) return { dmarc: 'unknown', source: 'mailauth' };
  return {
    dmarc: String(result.dmarc.status.result),
    ...(result.dmarc.policy && { policy: String(result.dmarc.policy).toLowerCase() }),
    source: 'mailauth',
  };
}

const DMARC = /^dmarc=([a-z]+)/i;
const POLICY = /\bp=([a-z]+)/i;
const HEADER_FROM = /\bheader\.from=([^\s;()]+)/i;

/**
 * The verdict the receiving server wrote into its Authentication-Results header (RFC 8601): the topmost one whose
 * authserv-id is `authservId` (that server removes such headers from what arrives, so a sender cannot forge it), and
 * only when its DMARC result is about `fromDomain`.
 */
export function trustedVerdict(
  headerLines: ReadonlyArray<{ key: string; line: string }>,
  authservId: string,
  fromDomain: string,
): SenderVerdict {
  const unknown: SenderVerdict = { dmarc: 'unknown', source: 'authentication-results' };
  for (const h of headerLines) {
    if (h.key.toLowerCase() !== 'authentication-results') continue;
    const [id = '', ...results] = h.line
      .slice(h.line.indexOf(':') + 1)
      .split(';')
      .map((s) => s.replace(/\s+/g, ' ').trim());
    if (id.split(' ')[0]!.toLowerCase() !== authservId.toLowerCase()) continue;
    const dmarc = results.find((r) => DMARC.test(r));
    if (!dmarc || HEADER_FROM.exec(dmarc)?.[1]?.toLowerCase() !== fromDomain.toLowerCase()) return unknown;
    const policy = POLICY.exec(dmarc)?.[1]?.toLowerCase();
    return { dmarc: DMARC.exec(dmarc)![1]!.toLowerCase(), ...(policy && { policy }), source: 'authentication-results' };
  }
  return unknown;
}
