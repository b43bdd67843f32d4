import type PDFDocument from 'pdfkit';
import { forLeftToRightDrawing } from './bidi.ts';
import { font, fontRuns, type Face, type Weight } from './fonts.ts';
import { lineCount } from './line-count.ts';

// Paragraphs on the certificate, apart from where the page puts them: each written in the fonts that have its
// characters, and measured as pdfkit would lay it out without laying it out.

export type Doc = InstanceType<typeof PDFDocument>;

const INK = '#1f2933';

/** A paragraph inside a table cell or the details block. */
export interface Para {
  text: string;
  weight?: Weight;
  size?: number;
  color?: string;
  /** Codes and SSRNs: in Noto Sans Mono. */
  mono?: boolean;
}

const registered = new WeakMap<Doc, Set<string>>();

/** Selects the face in the document, registering it the first time: pdfkit embeds only the fonts a document uses. */
function useFont(doc: Doc, face: Face, weight: Weight): string {
  const name = `${face}-${weight}`;
  let names = registered.get(doc);
  if (!names) registered.set(doc, (names = new Set()));
  if (!names.has(name)) {
    doc.registerFont(name, font(face, weight) as never);
    names.add(name);
  }
  doc.font(name);
  return name;
}

/** Brahmic scripts (Devanagari to Sinhala) and Thai. */
const REORDERED_BY_SHAPING = /[\u0900-\u0dff\u0e00-\u0e7f]/;

/** Writes text in as few font runs as its characters allow, so every glyph comes from a font that has it. */
export function write(doc: Doc, p: Para, x: number, y: number, width: number, align: 'left' | 'right' = 'left'): void {
  const drawn = { ...p, text: forLeftToRightDrawing(p.text) };
  if (REORDERED_BY_SHAPING.test(p.text)) {
    // Indic vowel signs drawn before the consonant they follow, Thai SARA AM drawn as two glyphs: the glyphs alone
    // would read back out of order, so the text layer is given the text itself.
    doc.markContent('Span', { actual: p.text } as never);
    writeRuns(doc, drawn, x, y, width, align);
    doc.endMarkedContent();
  } else writeRuns(doc, drawn, x, y, width, align);
}

function writeRuns(doc: Doc, p: Para, x: number, y: number, width: number, align: 'left' | 'right'): void {
  const runs = fontRuns(p.text, p.mono);
  const size = p.size ?? 9;
  doc.fillColor(p.color ?? INK).fontSize(size);
  if (align === 'right' && runs.length > 1) {
    // pdfkit aligns each continued run on its own, stacking mixed-font text; place a one-line label by its full width.
    const total = runs.reduce((w, run) => {
      useFont(doc, run.face, p.weight ?? 'regular');
      return w + doc.widthOfString(run.text);
    }, 0);
    writeRuns(doc, p, x + Math.max(0, width - total), y, Math.min(width, total + 1), 'left');
    return;
  }
  if (align === 'left' && runs.length === 1 && !p.text.includes('\n')) {
    const font = useFont(doc, runs[0]!.face, p.weight ?? 'regular');
    const lineHeight = doc.currentLineHeight(true);
    // Text known to take one line, clear of the page's bottom margin: pdfkit's line wrapper would find that again
    // (breaking it into words and measuring each) and write the whole text as that line, then move down one line.
    // Writing it without the wrapper gives the same content stream at about half the cost.
    if (lineCount(doc, font, size, width, p.text) === 1 && y + lineHeight <= doc.page.maxY() - 1) {
      doc.text(p.text, x, y, { lineBreak: false });
      doc.x = x;
      doc.y = y + (lineHeight + 1);
      return;
    }
  }
  runs.forEach((run, i) => {
    useFont(doc, run.face, p.weight ?? 'regular');
    const opts = { width, align, continued: i < runs.length - 1, lineGap: 1 };
    if (i === 0) doc.text(run.text, x, y, opts);
    else doc.text(run.text, opts);
  });
}

/**
 * The height pdfkit's heightOfString gives, without laying the paragraph out: how many lines it takes depends on font,
 * size, width and text only (lineCount), and the height is then summed line by line from the current y just as
 * heightOfString sums it, so it is the same number to the last bit.
 */
export function heightOf(doc: Doc, p: Para, width: number): number {
  const runs = fontRuns(forLeftToRightDrawing(p.text), p.mono);
  const face = runs.find((r) => r.face !== 'latin')?.face ?? 'latin';
  const font = useFont(doc, face, p.weight ?? 'regular');
  const size = p.size ?? 9;
  doc.fontSize(size);
  const lineHeight = doc.currentLineHeight(true) + 1;
  const lines = lineCount(doc, font, size, width, p.text);
  let y = doc.y;
  for (let i = 0; i < lines; i++) y += lineHeight;
  return y - doc.y;
}

/** Paragraphs one below the other from `y`: returns the height they take. */
export function stack(doc: Doc, paras: Para[], x: number, y: number, width: number): number {
  let cy = y;
  for (const p of paras) {
    write(doc, p, x, cy, width);
    cy += heightOf(doc, p, width);
  }
  return cy - y;
}

export const stackHeight = (doc: Doc, paras: Para[], width: number) =>
  paras.reduce((h, p) => h + heightOf(doc, p, width), 0);
