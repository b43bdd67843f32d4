/**
 * Picks the best supported locale: exact (`de`), else the language of a regional tag (`de-CH` → `de`), else English.
 */
export function resolveLocale(requested: string | undefined, supported: Iterable<string>): string {
  const available = new Set(supported);
  if (requested && available.has(requested)) return requested;
  const language = requested?.split('-')[0];
  return language && available.has(language) ? language : 'en';
}
