import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import type { EmailView } from './view.ts';

type CompileOptions = NonNullable<Parameters<typeof Handlebars.precompile>[1]>;
type TemplateSpec = Parameters<typeof Handlebars.template>[0];

export interface CompiledTemplates<View = EmailView> {
  html: Handlebars.TemplateDelegate<View>;
  text: Handlebars.TemplateDelegate<View>;
}

let mjmlRuns = 0;

/** A compiler's error, naming the template file: a bad deploy then says which file to fix. */
function inFile(file: string, e: unknown): Error {
  return new Error(`${file}: ${e instanceof Error ? e.message.trim() : String(e)}`);
}

/**
 * Handlebars.compile defers the work to the first call, which would put it in the first render and hide a template
 * error until a message is due. Precompiling builds the function now, exactly as Handlebars' own precompiled templates.
 */
function compileNow<View>(file: string, source: string, options: CompileOptions): Handlebars.TemplateDelegate<View> {
  let code: string;
  try {
    // The typings say TemplateSpecification; the function returns the spec's JavaScript source.
    code = String(Handlebars.precompile(source, options));
  } catch (e) {
    throw inFile(file, e);
  }
  return Handlebars.template<View>(new Function(`return ${code}`)() as TemplateSpec);
}

/**
 * MJML indents its output by nesting depth, and a quarter of each message was that indentation. Whitespace at the start
 * of a line is collapsible everywhere but inside <pre> and <textarea>, so it goes elsewhere; the line breaks stay,
 * keeping every line short enough to send the HTML as it is (7bit) instead of base64.
 */
export function withoutIndentation(html: string): string {
  return html
    .split(/(<pre\b[\s\S]*?<\/pre>|<textarea\b[\s\S]*?<\/textarea>)/i)
    .map((part, i) => (i % 2 ? part : part.replace(/\n[ \t]+/g, '\n')))
    .join('');
}

/** How often MJML has run in this process. Tests read it to prove that rendering a message never compiles. */
export function mjmlCompilations(): number {
  return mjmlRuns;
}

/**
 * MJML to HTML (milliseconds, so never per message), then that HTML and the text template to Handlebars functions.
 * The layout is the same for every locale (strings come from the view), so one compilation serves them all.
 * The layout's Handlebars blocks between sections sit in <mj-raw>, or MJML would drop them. Every email includes the
 * shared parts of `email/layout/` (head, brand bar, footer); includes reach no file outside `email/`.
 */
export async function compileTemplates<View = EmailView>(
  templatesDir: string,
  name = 'fulfillment',
): Promise<CompiledTemplates<View>> {
  const layout = join(templatesDir, `email/${name}.mjml`);
  const textFile = join(templatesDir, `email/${name}.txt.hbs`);
  mjmlRuns++;
  const options = {
    validationLevel: 'strict',
    keepComments: false,
    filePath: layout,
    ignoreIncludes: false,
    includePath: join(templatesDir, 'email'),
  } as const;
  const mjml = await mjml2html(readFileSync(layout, 'utf8'), options).catch((e: unknown) => {
    throw inFile(layout, e);
  });
  return {
    // Default escaping: every value of the view is event data or derived from it, never markup.
    html: compileNow(layout, withoutIndentation(mjml.html), { knownHelpersOnly: true, strict: true }),
    // The text part is not HTML: escaping would turn "&" into "&amp;".
    text: compileNow(textFile, readFileSync(textFile, 'utf8'), {
      noEscape: true,
      knownHelpersOnly: true,
      strict: true,
    }),
  };
}
