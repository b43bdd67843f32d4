import type { Font } from 'fontkit';

// pdfkit (0.20) embeds any object with a `layout` method as a font (PDFFontFactory.open), subsetting it per document.
// One parsed fontkit font is shared by every certificate of the process; this adapter adds what sharing needs.

declare module 'fontkit' {
  interface Font {
    _cmapProcessor: { codePointsForGlyph(glyphId: number): number[] };
    layout(text: string, features?: unknown): unknown;
  }
}

interface Glyph {
  id: number;
  codePoints: number[];
}

interface Position {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
}
interface Run {
  glyphs: Glyph[];
  positions: Position[];
}

const copy = ({ xAdvance, yAdvance, xOffset, yOffset }: Position): Position => ({ xAdvance, yAdvance, xOffset, yOffset });

/** Shaped words kept per font: labels, dates and product names recur in every certificate. */
const CAPACITY = 20_000;

/**
 * fontkit keeps one glyph object per glyph id for the whole process, labelled with the characters of whichever text
 * reached it first, and pdfkit writes that label into the PDF's ToUnicode map. Where a font maps several characters to
 * one glyph (space and no-break space, 月 and the Kangxi radical ⽉ in Noto Sans JP), or a ligature to both "fi" and
 * "ﬁ", the bytes would depend on what the process drew before. So each mapped glyph is labelled by the font alone,
 * with what a person would type and search for: its lowest character that compatibility normalization (NFKC) leaves
 * as it is, else the normalized form ("fi" for the ﬁ ligature).
 */
function label(codePoints: number[]): number[] {
  const chars = codePoints.map((cp) => String.fromCodePoint(cp));
  const ordinary = chars.filter((c) => c.normalize('NFKC') === c);
  if (ordinary.length) return [Math.min(...ordinary.map((c) => c.codePointAt(0)!))];
  return [...String.fromCodePoint(Math.min(...codePoints)).normalize('NFKC')].map((c) => c.codePointAt(0)!);
}

function labelGlyphs(font: Font, glyphs: Glyph[], labelled: WeakSet<Glyph>): void {
  for (const glyph of glyphs) {
    if (labelled.has(glyph)) continue;
    const mapped = font._cmapProcessor.codePointsForGlyph(glyph.id);
    if (mapped.length) glyph.codePoints = label(mapped);
    labelled.add(glyph);
  }
}

/**
 * The font as handed to pdfkit: the same parsed font, with text shaping (GSUB/GPOS, most of a certificate's render
 * time) remembered across documents. pdfkit scales the positions of each run in place, so every call gets copies.
 */
export function sharedFont(font: Font): Font {
  const shaped = new Map<string, Run>();
  const labelled = new WeakSet<Glyph>();
  const layout = (text: string, features?: unknown) => {
    const key = features ? `${JSON.stringify(features)}\u0000${text}` : text;
    let run = shaped.get(key);
    if (!run) {
      const fresh = font.layout(text, features) as Run;
      labelGlyphs(font, fresh.glyphs, labelled);
      run = { glyphs: fresh.glyphs, positions: fresh.positions.map(copy) };
      if (shaped.size >= CAPACITY) shaped.delete(shaped.keys().next().value!);
      shaped.set(key, run);
    }
    const positions = run.positions.map(copy);
    return {
      glyphs: run.glyphs,
      positions,
      get advanceWidth() {
        return positions.reduce((w, p) => w + p.xAdvance, 0);
      },
    };
  };
  return Object.create(font, { layout: { value: layout } }) as Font;
}
