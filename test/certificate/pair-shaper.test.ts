import { describe, expect, it } from 'vitest';
import { parseFontFile, type Face as Script, type Weight } from '../../src/certificate/fonts.ts';
import { pairShaper, type Shaped } from '../../src/certificate/pair-shaper.ts';
import { seededRandom } from '../support/seeded-random.ts';

const fontkitLayout = (script: Script, weight: Weight) => {
  const font = parseFontFile(script, weight);
  return (text: string) => font.layout(text) as Shaped;
};

/** Glyph ids and positions: what pdfkit writes into the page. */
const written = (run: Shaped) => ({
  glyphs: run.glyphs.map((g) => g.id),
  positions: run.positions.map(({ xAdvance, yAdvance, xOffset, yOffset }) => ({
    xAdvance,
    yAdvance,
    xOffset,
    yOffset,
  })),
});

const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const CODE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-';

function randomText(next: () => number, alphabet: string): string {
  let text = '';
  for (let n = 1 + Math.floor(next() * 24); n > 0; n--) text += alphabet[Math.floor(next() * alphabet.length)];
  return text;
}

describe('pair shaping', () => {
  it.each([
    ['latin', 'regular'],
    ['latin', 'bold'],
  ] as const)('Noto Sans %s %s: every text it shapes comes out as fontkit shapes it', (script, weight) => {
    const layout = fontkitLayout(script, weight);
    const shaper = pairShaper(layout);
    const next = seededRandom(weight === 'regular' ? 11 : 12);
    let shaped = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const text = randomText(next, trial % 2 ? ASCII : CODE);
      const ours = shaper.shape(text);
      if (!ours) continue;
      shaped++;
      expect(written(ours), JSON.stringify(text)).toEqual(written(layout(text)));
    }
    // Nearly all of it: only pairs fontkit turns into one glyph (fi, fl) or moves otherwise are left to it.
    expect(shaped).toBeGreaterThan(2900);
  });

  it('puts together the words a certificate brings, and leaves ligatures, other scripts and control characters to fontkit', () => {
    const layout = fontkitLayout('latin', 'regular');
    const shaper = pairShaper(layout);
    for (const word of ['Bx7KQ2-Lx0ab-Cd3EfG', 'SSRNRABC00007L0 ', 'SEC-20000007-20261128-68EE5F', 'AV. ', 'To']) {
      expect(shaper.shape(word), word).toBeDefined();
      expect(written(shaper.shape(word)!)).toEqual(written(layout(word)));
    }
    // Kerning is there to be found: "AV" sits closer than "A" and "V" apart.
    expect(shaper.shape('AV')!.positions[0]!.xAdvance).toBeLessThan(shaper.shape('A')!.positions[0]!.xAdvance);
    for (const text of ['office', 'Müller', 'tab\there', 'ライセンス'])
      expect(shaper.shape(text), text).toBeUndefined();
  });

  it('does not hold for Noto Sans JP, which positions some ASCII by context, so the certificate does not use it there', () => {
    const layout = fontkitLayout('cjk', 'regular');
    const shaper = pairShaper(layout);
    const next = seededRandom(13);
    let differ = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const text = randomText(next, ASCII);
      const ours = shaper.shape(text);
      if (ours && JSON.stringify(written(ours)) !== JSON.stringify(written(layout(text)))) differ++;
    }
    expect(differ).toBeGreaterThan(0);
  });
});
