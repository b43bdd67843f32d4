import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Contact, FulfillmentDocument } from '../model.ts';
import { loadLocaleStrings } from '../locale/strings.ts';
import { compileTemplates } from './compile-templates.ts';
import { emailView } from './view.ts';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface EmailRenderer {
  render(doc: FulfillmentDocument, recipient: Contact): RenderedEmail;
}

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/**
 * Compiles the templates and loads the locale strings once; `render` then only runs compiled functions (microseconds)
 * and touches no file. Asynchronous because mjml 5 compiles asynchronously; `render` is synchronous.
 */
export async function createEmailRenderer(options: { templatesDir?: string } = {}): Promise<EmailRenderer> {
  const dir = options.templatesDir ?? TEMPLATES_DIR;
  const templates = await compileTemplates(dir);
  const locales = loadLocaleStrings(join(dir, 'locales'));
  return {
    render(doc, recipient) {
      const view = emailView(doc, recipient, locales.for(doc.order.locale));
      return { subject: view.subject, html: templates.html(view), text: templates.text(view) };
    },
  };
}
