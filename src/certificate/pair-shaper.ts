// Kept, not given back to fontkit (measured; the figures are in its commit). Every certificate brings words no earlier
// one had (activation codes, SSRNs, order and certificate numbers), and fontkit runs the font's whole OpenType program
// over each (GSUB, then GPOS), most of a certificate's time. For plain ASCII in a Latin font that program comes down
// to one glyph per character, each advanced by its width plus the kerning of the pair it starts. So each character
// and each pair is shaped by fontkit once, and a word whose characters and pairs all come out that way is put together
// from them; anything else (a ligature such as "fi", a mark, a contextual rule) goes to fontkit whole. The tests
// compare the two on random text.

export interface ShapedGlyph {
  id: number;
  codePoints: number[];
  advanceWidth: number;
}

export interface ShapedPosition {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
}

export interface Shaped {
  glyphs: ShapedGlyph[];
  positions: ShapedPosition[];
}

/** Printable ASCII: 95 characters, so at most 9,025 pairs per font are ever shaped and kept. */
const FIRST = 0x20;
const LAST = 0x7e;

/** A character fontkit shapes to its own glyph with no offset: the glyph and its advance. */
interface Plain {
  glyph: ShapedGlyph;
  advance: number;
}

const unmoved = (p: ShapedPosition) => p.yAdvance === 0 && p.xOffset === 0 && p.yOffset === 0;

export interface PairShaper {
  /** The run fontkit would give for `text`, or undefined where the text needs fontkit's full shaping. */
  shape(text: string): Shaped | undefined;
}

/** The character's glyph and advance where fontkit shapes it alone as one unmoved glyph of its own width. */
function plainGlyph(run: Shaped): Plain | null {
  const glyph = run.glyphs[0];
  const position = run.positions[0];
  return run.glyphs.length === 1 && glyph && position && unmoved(position) && position.xAdvance === glyph.advanceWidth
    ? { glyph, advance: position.xAdvance }
    : null;
}

/** How much the pair moves the second glyph closer (negative) or away; null where the pair is shaped otherwise. */
function pairKern(run: Shaped, a: Plain, b: Plain): number | null {
  const [first, second] = run.positions;
  return run.glyphs.length === 2 &&
    run.glyphs[0]!.id === a.glyph.id &&
    run.glyphs[1]!.id === b.glyph.id &&
    first &&
    second &&
    unmoved(first) &&
    unmoved(second) &&
    second.xAdvance === b.advance
    ? first.xAdvance - a.advance
    : null;
}

/** `shapeWithFont` is fontkit's layout (default features); each result's glyphs are what the caller hands on. */
export function pairShaper(shapeWithFont: (text: string) => Shaped): PairShaper {
  // undefined: not shaped yet; null: shaped, and not plain.
  const plain = new Array<Plain | null | undefined>(LAST - FIRST + 1);
  const kerning = new Map<number, number | null>();

  const plainOf = (code: number): Plain | null => {
    let p = plain[code - FIRST];
    if (p === undefined) {
      p = plainGlyph(shapeWithFont(String.fromCharCode(code)));
      plain[code - FIRST] = p;
    }
    return p;
  };

  const kernOf = (left: number, right: number, a: Plain, b: Plain): number | null => {
    const key = (left << 8) | right;
    let kern = kerning.get(key);
    if (kern === undefined) {
      kern = pairKern(shapeWithFont(String.fromCharCode(left, right)), a, b);
      kerning.set(key, kern);
    }
    return kern;
  };

  return {
    shape(text) {
      const glyphs: ShapedGlyph[] = [];
      const positions: ShapedPosition[] = [];
      let previous: Plain | undefined;
      let previousCode = 0;
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code < FIRST || code > LAST) return undefined;
        const p = plainOf(code);
        if (!p) return undefined;
        if (previous) {
          const kern = kernOf(previousCode, code, previous, p);
          if (kern === null) return undefined;
          positions[i - 1]!.xAdvance += kern;
        }
        glyphs.push(p.glyph);
        positions.push({ xAdvance: p.advance, yAdvance: 0, xOffset: 0, yOffset: 0 });
        previous = p;
        previousCode = code;
      }
      return { glyphs, positions };
    },
  };
}
