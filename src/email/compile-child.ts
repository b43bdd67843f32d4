import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { withoutIndentation, type Precompiled, type TemplateFiles } from './compile-templates.ts';

// Runs in a child process of its own (compile-templates.ts starts it): MJML and its dependencies are loaded there and
// go away with it, instead of staying in the heap of every process that sends email for as long as it runs.

type CompileOptions = NonNullable<Parameters<typeof Handlebars.precompile>[1]>;

/** A compiler's error, naming the template file: a bad deploy then says which file to fix. */
function inFile(file: string, e: unknown): Error {
  return new Error(`${file}: ${e instanceof Error ? e.message.trim() : String(e)}`);
}

/** The JavaScript source of the template function, as Handlebars' own precompiled templates hold it. */
function precompile(file: string, source: string, options: CompileOptions): string {
  try {
    // The typings say TemplateSpecification; the function returns the spec's JavaScript source.
    return String(Handlebars.precompile(source, options));
  } catch (e) {
    throw inFile(file, e);
  }
}

/**
 * MJML to HTML (milliseconds, so never per message), then that HTML and the text template to Handlebars' precompiled
 * source. The layout's Handlebars blocks between sections sit in <mj-raw>, or MJML would drop them. Every email
 * includes the shared parts of `email/layout/` (head, brand bar, footer); includes reach no file outside `email/`.
 */
async function precompileTemplates({ templatesDir, name }: TemplateFiles): Promise<Precompiled> {
  const layout = join(templatesDir, `email/${name}.mjml`);
  const textFile = join(templatesDir, `email/${name}.txt.hbs`);
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
    html: precompile(layout, withoutIndentation(mjml.html), { knownHelpersOnly: true, strict: true }),
    // The text part is not HTML: escaping would turn "&" into "&amp;".
    text: precompile(textFile, readFileSync(textFile, 'utf8'), {
      noEscape: true,
      knownHelpersOnly: true,
      strict: true,
    }),
  };
}

process.once('message', (files: TemplateFiles) => {
  precompileTemplates(files).then(
    (precompiled) => process.send!({ precompiled }, () => process.disconnect()),
    (error: Error) => process.send!({ error: error.message }, () => process.disconnect()),
  );
});
