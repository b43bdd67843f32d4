import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import type { Contact, FulfillmentDocument } from '../model.ts';
import { loadLocaleStrings } from '../locale/strings.ts';
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
 * Compiles the layout once: MJML to HTML (milliseconds, so never per message), then that HTML and the text template
 * to Handlebars functions. Rendering a message afterwards only runs those functions (microseconds).
 * The layout's Handlebars blocks sit in <mj-raw> so MJML keeps them.
 */
export async function createEmailRenderer(options: { templatesDir?: string } = {}): Promise<EmailRenderer> {
  const dir = options.templatesDir ?? TEMPLATES_DIR;
  const mjml = await mjml2html(readFileSync(join(dir, 'email/fulfillment.mjml'), 'utf8'), { validationLevel: 'strict', keepComments: false });
  if (mjml.errors.length) throw new Error(`templates/email/fulfillment.mjml: ${mjml.errors.map((e) => e.formattedMessage).join('; ')}`);
  const html = Handlebars.compile(mjml.html, { strict: false, knownHelpersOnly: true });
  const text = Handlebars.compile(readFileSync(join(dir, 'email/fulfillment.txt.hbs'), 'utf8'), { noEscape: true, knownHelpersOnly: true });
  const locales = loadLocaleStrings(join(dir, 'locales'));
  return {
    render(doc, recipient) {
      const view = emailView(doc, recipient, locales.for(doc.order.locale));
      return { subject: view.subject, html: html(view), text: text(view) };
    },
  };
}
