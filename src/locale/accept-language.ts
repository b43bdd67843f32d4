import { resolveLocale } from './resolve.ts';

/**
 * The supported locale a browser prefers most (RFC 9110 Accept-Language: tags weighted by `q`, ties in the order
 * given), else English. Linear in the header's length; a header of hundreds of entries is cut at 50.
 */
export function preferredLocale(header: string | undefined, supported: readonly string[]): string {
  const ranked = (header ?? '')
    .slice(0, 2000)
    .split(',')
    .slice(0, 50)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag: tag.trim().toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((r) => r.tag && r.tag !== '*' && r.weight > 0);
  ranked.sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { tag } of ranked) {
    const locale = resolveLocale(tag, supported);
    if (locale !== 'en' || tag === 'en' || tag.startsWith('en-')) return locale;
  }
  return 'en';
}
