import type PDFDocument from 'pdfkit';
import { LRUCache } from 'lru-cache';
import { remember } from '../cache/remember.ts';
import { TEXT_CACHE_CAPACITY } from './text-cache-capacity.ts';

type Doc = InstanceType<typeof PDFDocument>;

/** Lines each paragraph takes, kept: labels, headers, dates and product names recur in every certificate. */
const counted = new LRUCache<string, number>({ max: TEXT_CACHE_CAPACITY });

/** Mandatory line breaks and the soft hyphen: where pdfkit's line wrapper may end a line whatever the width. */
const BREAKS = /[\n\r\v\f\u0085\u00ad\u2028\u2029]/;
/** Characters other than letters and digits: where a word may end, and with it the kerning the wrapper counts. */
const WORD_EDGES = /[^\p{L}\p{N}]/gu;

/**
 * How many lines pdfkit's wrapper gives the text in `font` (the document's current font) at `size` over `width`, with
 * a line gap of 1. A text clearly narrower than the width takes one, known from its width alone; only near the edge
 * is the wrapper asked, which breaks the text into words and measures each: most of the cost of a new code or name.
 * "Clearly": the wrapper adds up words measured one by one, without the kerning across their edges, so a sixth of an
 * em per possible edge is kept in reserve (the tests compare the two on random text at widths around its own).
 */
export function lineCount(doc: Doc, font: string, size: number, width: number, text: string): number {
  return remember(counted, `${font}\u0000${size}\u0000${width}\u0000${text}`, () => {
    const edges = text.match(WORD_EDGES)?.length ?? 0;
    if (!BREAKS.test(text) && doc.widthOfString(text) + (size / 6) * (edges + 1) <= width) return 1;
    return Math.round(doc.heightOfString(text || ' ', { width, lineGap: 1 }) / (doc.currentLineHeight(true) + 1));
  });
}
