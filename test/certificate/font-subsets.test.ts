import { readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import { faceOf } from '../../src/certificate/coverage.ts';
import { FONT_FILES, fontFile, publishedFontFile, SUBSET_FACES } from '../../src/certificate/font-files.ts';
import { fontRuns } from '../../src/certificate/fonts.ts';
import { publishedFaceOf, subsetSelection } from '../../src/certificate/subset-selection.ts';

// The faces drawn from subsets (templates/fonts/) must print what the published files printed: every character from
// the same face, with the same glyph, shaped the same way. After a font upgrade: npx tsx scripts/font-subsets.ts.

interface Glyph {
  id: number;
  advanceWidth: number;
  path: { toSVG(): string };
}
interface Shaped {
  glyphs: Glyph[];
  positions: Array<{ xAdvance: number; yAdvance: number; xOffset: number; yOffset: number }>;
}

const open = (path: string) => fontkit.create(readFileSync(path));
const glyphOf = (font: fontkit.Font, code: number) => font.glyphForCodePoint(code) as Glyph;
const mappedTo = (font: fontkit.Font, id: number) => font._cmapProcessor.codePointsForGlyph(id).sort((a, b) => a - b);
/** A glyph as printed: outline, advance, and the characters a PDF's text layer labels it with (shared-font.ts). */
const printed = (font: fontkit.Font, glyph: Glyph) => ({
  outline: glyph.path.toSVG(),
  advance: glyph.advanceWidth,
  mapped: mappedTo(font, glyph.id),
});
const shaped = (font: fontkit.Font, text: string) => {
  const run = font.layout(text) as Shaped;
  return run.glyphs.map((g, i) => ({ ...printed(font, g), ...run.positions[i] }));
};

const PUBLISHED_FACE_OF = publishedFaceOf();
const SUBSETS = SUBSET_FACES.map((face) => [face] as const);

/** Names, conjoining jamo, joiners and variation selectors, split into runs as the certificate splits them. */
const SAMPLES = [
  '주식회사 한빛소프트',
  '\u1100\u1161\u11a8 \u1112\u1161\u11ab',
  '한\u200d빛 \u302e한',
  '北京软件有限公司',
  '广东 发展\u00a0银行 软\ufe00件',
  '臺灣軟體股份有限公司 香港綫上 𠀋 𡈽',
];

/** About 400 of the characters a face draws, spread over its range, in strings of 24 with a space after each 6. */
function spread(characters: number[]): string[] {
  const step = Math.max(1, Math.floor(characters.length / 400));
  const chars = characters.filter((_, i) => i % step === 0).map((c) => String.fromCodePoint(c));
  return Array.from({ length: Math.ceil(chars.length / 24) }, (_, i) =>
    chars
      .slice(i * 24, i * 24 + 24)
      .join('')
      .replace(/(.{6})/gu, '$1 '),
  );
}

describe('the font subsets', () => {
  it('leave every character to the face that drew it with the published fonts', () => {
    for (let code = 0; code <= 0x10ffff; code++) {
      const ch = String.fromCodePoint(code);
      if (faceOf(ch) !== PUBLISHED_FACE_OF(ch))
        expect(faceOf(ch), `U+${code.toString(16)}`).toBe(PUBLISHED_FACE_OF(ch));
    }
  });

  it.each(SUBSETS)('%s: keeps what scripts/font-subsets.ts selects, each glyph as published', (face) => {
    expect(FONT_FILES[face].bold).toBe(FONT_FILES[face].regular);
    const published = open(publishedFontFile(face, 'regular'));
    const subset = open(fontFile(face, 'regular'));
    const { characters, glyphs } = subsetSelection(face, 'regular', PUBLISHED_FACE_OF);
    const expected = new Set([...characters, ...glyphs.flatMap((id) => mappedTo(published, id))]);
    expect([...subset.characterSet].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
    for (const code of characters) {
      const ours = printed(subset, glyphOf(subset, code));
      const theirs = printed(published, glyphOf(published, code));
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) expect(ours, `U+${code.toString(16)}`).toEqual(theirs);
    }
  });

  it.each(SUBSETS)('%s: shapes the runs it is given as the published file does', (face) => {
    const published = open(publishedFontFile(face, 'regular'));
    const subset = open(fontFile(face, 'regular'));
    const drawn = subsetSelection(face, 'regular', PUBLISHED_FACE_OF).characters.filter(
      (c) => PUBLISHED_FACE_OF(String.fromCodePoint(c)) === face,
    );
    const runs = [...SAMPLES, ...spread(drawn)].flatMap((text) => fontRuns(text).filter((r) => r.face === face));
    expect(runs.length).toBeGreaterThan(16);
    for (const { text } of runs) expect(shaped(subset, text), text).toEqual(shaped(published, text));
  });
});
