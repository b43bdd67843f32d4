import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import { SubsetSource, TrueTypeSubset } from '../../src/certificate/font-subset.ts';
import { seededRandom as random } from '../support/seeded-random.ts';

declare module 'fontkit' {
  interface Font {
    numGlyphs: number;
  }
}

const require = createRequire(import.meta.url);
const FONTS = [
  '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
  '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf',
];

describe('the font subset', () => {
  it.each(FONTS)('%s: gives the bytes fontkit gives, glyph lists with composite glyphs included', (file) => {
    const font = fontkit.create(readFileSync(require.resolve(file))) as fontkit.Font;
    const source = new SubsetSource(font);
    // Noto Sans draws accented letters from parts (composite glyphs); Noto Sans JP has none.
    const composites = Array.from({ length: font.numGlyphs }, (_, id) => id).filter((id) => (font.getGlyph(id)._decode()?.numberOfContours ?? 0) < 0);
    expect(composites.length > 0).toBe(file.includes('noto-sans/'));
    const next = random(FONTS.indexOf(file) + 1);
    // One font and source for every trial: a subset must leave both as they were (composite glyphs are written with
    // their parts renumbered, into a copy).
    for (let trial = 0; trial < 40; trial++) {
      const ids = Array.from({ length: 1 + Math.floor(next() * 120) }, () =>
        composites.length && next() < 0.3 ? composites[Math.floor(next() * composites.length)]! : Math.floor(next() * font.numGlyphs));
      const theirs = font.createSubset();
      const ours = new TrueTypeSubset(source);
      for (const id of ids) expect(ours.includeGlyph(id)).toBe(theirs.includeGlyph(id));
      expect(Buffer.from(ours.encode()).equals(Buffer.from(theirs.encode())), `trial ${trial}`).toBe(true);
      expect(ours.glyphs).toEqual(theirs.glyphs);
    }
  });
});
