import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';

import { resolveLocale } from './resolve.ts';

/**
 * One locale's strings (a JSON file per locale), each compiled once. Strings may hold Handlebars placeholders; values
 * are inserted unescaped, so HTML output must escape them afterwards (the email's HTML template does).
 */
export interface LocaleStrings {
  locale: string;
  text(key: string, data?: object): string;
  list(key: string, data?: object): string[];
}

export class LocaleCatalog {
  constructor(private readonly locales: ReadonlyMap<string, LocaleStrings>) {}

  /** The strings for a requested locale, falling back to its language, then English. */
  for(requested: string | undefined): LocaleStrings {
    return this.locales.get(resolveLocale(requested, this.locales.keys()))!;
  }
}

export function loadLocaleStrings(dir: string): LocaleCatalog {
  const out = new Map<string, LocaleStrings>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, string | string[]>;
    // Most strings are labels without a placeholder: a call of a compiled template costs microseconds, and an email
    // or certificate looks up some forty strings.
    const compile = (s: string) =>
      s.includes('{{') ? Handlebars.compile(s, { noEscape: true, strict: true }) : () => s;
    const compiled = new Map(
      Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.map(compile) : [compile(v)]]),
    );
    const get = (key: string) => {
      const c = compiled.get(key);
      if (!c) throw new Error(`${file}: no string "${key}"`);
      return c;
    };
    const locale = file.replace(/\.json$/, '');
    out.set(locale, {
      locale,
      text: (key, data = {}) => get(key)[0]!(data),
      list: (key, data = {}) => get(key).map((t) => t(data)),
    });
  }
  if (!out.has('en')) throw new Error(`${dir}: an en.json is required as the fallback locale`);
  return new LocaleCatalog(out);
}
