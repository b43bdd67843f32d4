import { join } from 'node:path';
import { compileTemplates } from '../email/compile-templates.ts';
import type { RenderedEmail } from '../email/render.ts';
import { TEMPLATES_DIR } from '../project-files.ts';
import { greeting } from '../email/view.ts';
import { loadLocaleStrings } from '../locale/strings.ts';
import type { Contact } from '../model.ts';
import { noticeView, type NoticeDocument, type NoticeView } from './notice-view.ts';

export interface NoticeRenderer {
  render(doc: NoticeDocument, recipient: Contact, unsubscribeUrl: string): RenderedEmail;
}

/**
 * Compiles the notice templates (beside the Fulfillment Email's, sharing its layout and strings) once; `render` only
 * runs them.
 */
export async function createNoticeRenderer(options: { templatesDir?: string } = {}): Promise<NoticeRenderer> {
  const dir = options.templatesDir ?? TEMPLATES_DIR;
  const templates = await compileTemplates<NoticeView>(dir, 'notice');
  const locales = loadLocaleStrings(join(dir, 'locales'));
  return {
    render(doc, recipient, unsubscribeUrl) {
      const s = locales.for(doc.order.locale);
      const view = noticeView(doc, greeting(recipient, s), unsubscribeUrl, s);
      return { subject: view.subject, lang: view.lang, html: templates.html(view), text: templates.text(view) };
    },
  };
}
