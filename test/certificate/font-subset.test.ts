import { describe, expect, it } from 'vitest';
import { SubsetSource, TrueTypeSubset } from '../../src/certificate/font-subset.ts';
import { parseFontFile, type Face, type Weight } from '../../src/certificate/fonts.ts';
import { seededRandom as random } from '../support/seeded-random.ts';

declare module 'fontkit' {
  interface Font {
    numGlyphs: number;
  }
}

const FONTS: Array<[Face, Weight]> = [
  ['latin', 'regular'],
  ['latin', 'bold'],
  ['cjk', 'regular'],
  ['cjk', 'bold'],
  ['emoji', 'regular'],
  // A subset made by pyftsubset (templates/fonts/).
  ['korean', 'regular'],
  // Short glyph offsets in the loca table; Arabic and Devanagari have composite glyphs too.
  ['mono', 'regular'],
  ['mono', 'bold'],
  ['arabic', 'regular'],
  ['devanagari', 'bold'],
  ['hebrew', 'regular'],
  ['thai', 'regular'],
];

describe('the font subset', () => {
  it.each(FONTS)(
    '%s %s: gives the bytes fontkit gives, glyph lists with composite glyphs included',
    (script, weight) => {
      const font = parseFontFile(script, weight);
      expect(SubsetSource.supports(font)).toBe(true);
      const source = new SubsetSource(font);
      // Noto Sans draws accented letters from parts (composite glyphs); Noto Sans JP has none.
      const composites = Array.from({ length: font.numGlyphs }, (_, id) => id).filter(
        (id) => (font.getGlyph(id)._decode()?.numberOfContours ?? 0) < 0,
      );
      if (script === 'latin') expect(composites.length).toBeGreaterThan(0);
      const next = random(FONTS.findIndex(([s, w]) => s === script && w === weight) + 1);
      // One font and source for every trial: a subset must leave both as they were (composite glyphs are written with
      // their parts renumbered, into a copy).
      for (let trial = 0; trial < 40; trial++) {
        const ids = Array.from({ length: 1 + Math.floor(next() * 120) }, () =>
          composites.length && next() < 0.3
            ? composites[Math.floor(next() * composites.length)]!
            : Math.floor(next() * font.numGlyphs),
        );
        const theirs = font.createSubset();
        const ours = new TrueTypeSubset(source);
        for (const id of ids) expect(ours.includeGlyph(id)).toBe(theirs.includeGlyph(id));
        expect(Buffer.from(ours.encode()).equals(Buffer.from(theirs.encode())), `trial ${trial}`).toBe(true);
        expect(ours.glyphs).toEqual(theirs.glyphs);
      }
    },
  );
});
