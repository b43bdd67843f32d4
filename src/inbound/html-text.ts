import { convert } from 'html-to-text';

/**
 * The text a reader sees in an HTML body; blockquotes come out as "> " lines, so quoted replies are recognised as in
 * plain text. Pathological nesting can exhaust html-to-text's recursion; then plain tag stripping does.
 */
export function htmlText(html: string): string {
  try {
    return convert(html, {
      wordwrap: false,
      // Layout tables are common in mail; as data tables their cells stay apart instead of running together.
      selectors: [{ selector: 'a', options: { ignoreHref: true } }, { selector: 'img', format: 'skip' }, { selector: 'table', format: 'dataTable' }],
    });
  } catch {
    return html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<br\s*\/?>|<\/(p|div|tr|li)>/gi, '\n').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ');
  }
}
