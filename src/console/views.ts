import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { preferredLocale } from '../locale/accept-language.ts';
import { loadLocaleStrings, type LocaleStrings } from '../locale/strings.ts';
import { projectFile } from '../project-files.ts';

export const CONSOLE_TEMPLATES = projectFile('templates/console/');

/** What every page's layout shows besides its own content. */
export type PageFrame = {
  title: string;
  section: string;
  csrf: string;
  session?: { name: string; role: string; admin: boolean };
  notice?: string;
  problem?: string;
  issues?: Array<{ path: string; message: string }>;
};

export interface ConsoleViews {
  stylesheet: string;
  /** The strings of the language the browser prefers among en, de, ja. */
  strings(acceptLanguage: string | undefined): LocaleStrings;
  render(page: string, strings: LocaleStrings, data: PageFrame & Record<string, unknown>): string;
}

/**
 * The console's pages: Handlebars templates (escaping every value) in templates/console/, one strings file per
 * language. `{{t "key" name=value}}` looks a string up in the page's language; its values are escaped like any other.
 */
export function loadConsoleViews(brand: string, dir = CONSOLE_TEMPLATES): ConsoleViews {
  const catalog = loadLocaleStrings(dir);
  const locales = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''));
  const hb = Handlebars.create();
  hb.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    return (options.data.root.strings as LocaleStrings).text(key, options.hash as object);
  });
  const pages = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
    const name = file.replace(/\.hbs$/, '');
    const source = readFileSync(`${dir}${file}`, 'utf8');
    if (name === 'layout' || name === 'entitlement-table') hb.registerPartial(name, source);
    else pages.set(name, hb.compile(source, { strict: false }));
  }
  return {
    stylesheet: readFileSync(`${dir}console.css`, 'utf8'),
    strings: (acceptLanguage) => catalog.for(preferredLocale(acceptLanguage, locales)),
    render(page, strings, data) {
      const template = pages.get(page);
      if (!template) throw new Error(`no console template ${page}.hbs`);
      return template({ ...data, strings, brand });
    },
  };
}
