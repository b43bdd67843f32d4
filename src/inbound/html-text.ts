import { convert } from 'html-to-text';

/**
 * The text a reader sees in an HTML body; blockquotes come out as "> " lines, so quoted replies are recognised as in
 * plain text. Pathological nesting can exhaust html-to-text's recursion; then plain tag stripping does, as it does for
 * HTML with more tags than a request has.
 */
export function htmlText(html: string): string {
  if (tagCount(html) > MAX_TAGS) return stripTags(html);
  try {
    return convert(html, {
      wordwrap: false,
      // Layout tables are common in mail; as data tables their cells stay apart instead of running together.
      selectors: [
        { selector: 'a', options: { ignoreHref: true } },
        { selector: 'img', format: 'skip' },
        { selector: 'table', format: 'dataTable' },
      ],
    });
  } catch {
    return stripTags(html);
  }
}

/** More tags than a written request ever has (deep nesting costs html-to-text far more than its length). */
const MAX_TAGS = 3000;

function tagCount(html: string): number {
  let n = 0;
  for (let at = html.indexOf('<'); at !== -1 && n <= MAX_TAGS; at = html.indexOf('<', at + 1)) n++;
  return n;
}

const LINE_BREAKING = /^<(?:br|\/p|\/div|\/tr|\/li)\b/i;

/**
 * Tags removed in one pass from left to right (script and style with their content), so the time is linear in the
 * length whatever the HTML: every search starts where the previous one ended.
 */
export function stripTags(html: string): string {
  const out: string[] = [];
  let at = 0;
  while (at < html.length) {
    const open = html.indexOf('<', at);
    if (open === -1) break;
    out.push(html.slice(at, open));
    const close = html.indexOf('>', open);
    if (close === -1) {
      at = html.length;
      break;
    }
    const tag = html.slice(open, close + 1);
    const raw = /^<(script|style)\b/i.exec(tag)?.[1];
    if (raw) {
      const end = new RegExp(`</${raw}[^<>]*>`, 'gi');
      end.lastIndex = close;
      at = end.exec(html) ? end.lastIndex : html.length;
    } else at = close + 1;
    out.push(LINE_BREAKING.test(tag) ? '\n' : ' ');
  }
  out.push(html.slice(at));
  return out.join('').replace(/&nbsp;/g, ' ');
}
