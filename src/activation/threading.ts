/** A message id as a reply may carry it: one `<...>` without spaces, within RFC 5322's 998-octet line. */
const MESSAGE_ID = /^<[^<>\s]{1,990}>$/;
/** References beyond this many characters are dropped from the oldest: a thread needs its recent ids. */
const MAX_REFERENCES_CHARS = 4000;

/**
 * In-Reply-To and References for a reply to an inbound message. Ids the sender wrote are echoed only when they are
 * well-formed and fit a header line: an oversized or broken one is left out, never folded or cut.
 */
export function replyThreading(
  messageId: string | undefined,
  references: string | string[] | undefined,
): { inReplyTo?: string; references: string[] } {
  const own = messageId && MESSAGE_ID.test(messageId) ? messageId : undefined;
  const earlier = (typeof references === 'string' ? [references] : (references ?? []))
    .flatMap((r) => r.split(/\s+/))
    .filter((r) => MESSAGE_ID.test(r));
  const all = [...earlier, ...(own ? [own] : [])];
  const kept: string[] = [];
  let length = 0;
  for (let i = all.length - 1; i >= 0 && length + all[i]!.length + 1 <= MAX_REFERENCES_CHARS; i--) {
    kept.unshift(all[i]!);
    length += all[i]!.length + 1;
  }
  return { ...(own && { inReplyTo: own }), references: kept };
}
