import type { Font } from 'fontkit';
import { LRUCache } from 'lru-cache';
import { remember } from '../cache/remember.ts';
import { SubsetSource, TrueTypeSubset } from './font-subset.ts';
import { pairShaper, type Shaped, type ShapedGlyph as Glyph, type ShapedPosition as Position } from './pair-shaper.ts';
import { TEXT_CACHE_CAPACITY } from './text-cache-capacity.ts';

// pdfkit (0.20) embeds any object with a `layout` method as a font (PDFFontFactory.open), subsetting it per document.
// One parsed fontkit font is shared by every certificate of the process; this adapter adds what sharing needs.

declare module 'fontkit' {
  interface Font {
    _cmapProcessor: { codePointsForGlyph(glyphId: number): number[] };
    unitsPerEm: number;
    layout(text: string, features?: unknown): unknown;
  }
}

/** A shaped run as pdfkit reads it: its positions carry the advanceWidth pdfkit sets, and the run its total width. */
interface Run {
  glyphs: Glyph[];
  positions: Array<Position & { advanceWidth: number }>;
  advanceWidth: number;
}

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
 * fontkit lays a right-to-left word out in visual order, the space pdfkit leaves at its end (pdfkit lays text out
 * word by word, each with its trailing space) turned to its front. The certificate hands pdfkit right-to-left text
 * with its words in visual order already (bidi.ts), so the space goes back between the words, where it was.
 */
function trailingSpaceLast(text: string, run: Shaped & { direction?: string }): Shaped {
  const spaces = text.length - text.trimEnd().length;
  if (run.direction !== 'rtl' || spaces === 0 || spaces >= run.glyphs.length) return run;
  return {
    glyphs: [...run.glyphs.slice(spaces), ...run.glyphs.slice(0, spaces)],
    positions: [...run.positions.slice(spaces), ...run.positions.slice(0, spaces)],
  };
}

/**
 * A position as handed to pdfkit, a copy of the remembered one, of a class of its own (see sharedFont): objects built
 * alike share V8's layout of their fields, and fractions written into one make every other keep each of its numbers
 * in a heap object of its own.
 */
class HandedPosition {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
  advanceWidth: number;

  constructor(p: Position & { advanceWidth: number }) {
    this.xAdvance = p.xAdvance;
    this.yAdvance = p.yAdvance;
    this.xOffset = p.xOffset;
    this.yOffset = p.yOffset;
    this.advanceWidth = p.advanceWidth;
  }
}

/**
 * The font as handed to pdfkit: the same parsed font, with text shaping (GSUB/GPOS, most of a certificate's render
 * time) remembered across documents. pdfkit (EmbeddedFont.layoutRun) multiplies every number of a run's positions by
 * 1000 / unitsPerEm in place and sets each one's advanceWidth to its glyph's, scaled alike, so each call gets copies.
 * At 1000 units per em that leaves the numbers as they were, but handing every document the remembered positions
 * themselves cost memory once fonts of 2048 units per em (Arabic, Hebrew, emoji) were in use: pdfkit's multiplication,
 * having seen fractions, wrote the numbers back as doubles, and V8 then kept every number of every remembered
 * position in a heap object of its own. The copies cost far less than that memory (figures in the commit).
 */
export function sharedFont(font: Font, options: { pairShaping: boolean }): Font {
  const shaped = new LRUCache<string, Run>({ max: TEXT_CACHE_CAPACITY });
  const labelled = new WeakSet<Glyph>();
  const shapeFully = (text: string, features?: unknown): Shaped => {
    const fresh = trailingSpaceLast(text, font.layout(text, features) as Shaped);
    labelGlyphs(font, fresh.glyphs, labelled);
    return fresh;
  };
  const shaper = options.pairShaping ? pairShaper(shapeFully) : undefined;
  const shapedRun = (text: string, features?: unknown) => {
    const key = features ? `${JSON.stringify(features)}\u0000${text}` : text;
    return remember(shaped, key, (): Run => {
      const fresh = (!features && shaper?.shape(text)) || shapeFully(text, features);
      const positions = fresh.positions.map(({ xAdvance, yAdvance, xOffset, yOffset }, i) => ({
        xAdvance,
        yAdvance,
        xOffset,
        yOffset,
        advanceWidth: fresh.glyphs[i]!.advanceWidth,
      }));
      return { glyphs: fresh.glyphs, positions, advanceWidth: positions.reduce((w, p) => w + p.xAdvance, 0) };
    });
  };
  const layout = (text: string, features?: unknown) => {
    const run = shapedRun(text, features);
    const positions = run.positions.map((p) => new HandedPosition(p));
    // The width of the run once scaled: the remembered one at 1000 units per em.
    if (font.unitsPerEm === 1000) return { glyphs: run.glyphs, positions, advanceWidth: run.advanceWidth };
    return {
      glyphs: run.glyphs,
      positions,
      get advanceWidth() {
        return positions.reduce((w, p) => w + p.xAdvance, 0);
      },
    };
  };
  const source = SubsetSource.supports(font) ? new SubsetSource(font) : undefined;
  const subset: PropertyDescriptorMap = source ? { createSubset: { value: () => new TrueTypeSubset(source) } } : {};
  return Object.create(font, { layout: { value: layout }, ...subset }) as Font;
}
