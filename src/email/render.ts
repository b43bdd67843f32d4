import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Contact, FulfillmentDocument } from '../model.ts';
import { loadLocaleStrings } from '../locale/strings.ts';
import { compileTemplates } from './compile-templates.ts';
import { emailView, greeting } from './view.ts';
import { TEMPLATES_DIR } from '../project-files.ts';

export interface RenderedEmail {
  subject: string;
  /** The language the email is written in (Content-Language). */
  lang: string;
  html: string;
  text: string;
}

export interface EmailRenderer {
  render(doc: FulfillmentDocument, recipient: Contact): RenderedEmail;
}

/**
 * Compiles the templates and loads the locale strings once; `render` then only runs compiled functions (microseconds)
 * and touches no file. Asynchronous because mjml 5 compiles asynchronously; `render` is synchronous.
 */
export async function createEmailRenderer(options: { templatesDir?: string } = {}): Promise<EmailRenderer> {
  const dir = options.templatesDir ?? TEMPLATES_DIR;
  const templates = await compileTemplates(dir);
  const locales = loadLocaleStrings(join(dir, 'locales'));
  // A fulfillment's recipients get the same email but for the greeting: render it once per document with a stand-in
  // greeting, then put each recipient's in (escaped for HTML as the template would). The stand-in is random per
  // process, so no event data can contain it; documents are the send worker's shared, unchanging objects.
  const standIn = `\u0000greeting-${randomBytes(8).toString('hex')}\u0000`;
  const rendered = new WeakMap<FulfillmentDocument, RenderedEmail>();
  return {
    render(doc, recipient) {
      const s = locales.for(doc.order.locale);
      let shared = rendered.get(doc);
      if (!shared) {
        const view = emailView(doc, standIn, s);
        shared = { subject: view.subject, lang: view.lang, html: templates.html(view), text: templates.text(view) };
        rendered.set(doc, shared);
      }
      const line = greeting(recipient, s);
      return {
        subject: shared.subject,
        lang: shared.lang,
        html: shared.html.replaceAll(standIn, () => Handlebars.escapeExpression(line)),
        text: shared.text.replaceAll(standIn, () => line),
      };
    },
  };
}
