import { resolveLocale } from './resolve.ts';

/** The supported locale a browser prefers most (Accept-Language, by quality), else English. Linear in the header. */
export function preferredLocale(acceptLanguage: string | undefined, supported: Iterable<string>): string {
  const available = [...supported];
  const ranked = (acceptLanguage ?? '').slice(0, 500).split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith('q='))?.slice(2) ?? '1');
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    const locale = resolveLocale(tag.toLowerCase(), available);
    if (locale !== 'en' || tag.toLowerCase().startsWith('en')) return locale;
  }
  return 'en';
}
