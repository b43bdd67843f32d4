import { fork } from 'node:child_process';
import Handlebars from 'handlebars';
import type { EmailView } from './view.ts';

type TemplateSpec = Parameters<typeof Handlebars.template>[0];

export interface CompiledTemplates<View = EmailView> {
  html: Handlebars.TemplateDelegate<View>;
  text: Handlebars.TemplateDelegate<View>;
}

/** Which email to compile: `templates/email/<name>.mjml` and `<name>.txt.hbs` under `templatesDir`. */
export interface TemplateFiles {
  templatesDir: string;
  name: string;
}

/** Each template as the JavaScript source of a precompiled Handlebars template (compile-child.ts). */
export interface Precompiled {
  html: string;
  text: string;
}

let mjmlRuns = 0;

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
 * Runs compile-child.ts in a child process: the compiled module when this is dist/, else the TypeScript source
 * through tsx (a child inherits neither tsx's loader nor the tests').
 */
function precompileInChild(files: TemplateFiles): Promise<Precompiled> {
  const fromSource = import.meta.url.endsWith('.ts');
  const child = fork(new URL(`./compile-child.${fromSource ? 'ts' : 'js'}`, import.meta.url), {
    execArgv: fromSource ? ['--import', import.meta.resolve('tsx')] : [],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (answer: { precompiled?: Precompiled; error?: string }) =>
      answer.precompiled ? resolve(answer.precompiled) : reject(new Error(answer.error)),
    );
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the template compiler stopped (exit code ${code})`)));
    child.send(files);
  });
}

/**
 * The email's HTML and text templates, compiled now rather than at the first message (a template error then stops
 * the start, not a send). The layout is the same for every locale (strings come from the view), so one compilation
 * serves them all. MJML runs in a child process (compile-child.ts); this process keeps only the template functions.
 */
export async function compileTemplates<View = EmailView>(
  templatesDir: string,
  name = 'fulfillment',
): Promise<CompiledTemplates<View>> {
  mjmlRuns++;
  const precompiled = await precompileInChild({ templatesDir, name });
  const template = (code: string) => Handlebars.template<View>(new Function(`return ${code}`)() as TemplateSpec);
  return { html: template(precompiled.html), text: template(precompiled.text) };
}
