import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { font } from '../../src/certificate/fonts.ts';
import { lineCount } from '../../src/certificate/line-count.ts';
import { seededRandom } from '../support/seeded-random.ts';

// lineCount answers "one line" from a text's width alone when the text is clearly narrower than the column. It must
// never say so where pdfkit's own wrapper, measuring word by word, would break the line: then the certificate's
// layout would change. So both are asked about random text at widths just around the text's own width.

const doc = new PDFDocument({ autoFirstPage: true, font: null as unknown as string });
doc
  .registerFont('latin-regular', font('latin', 'regular') as never)
  .registerFont('latin-bold', font('latin', 'bold') as never)
  .registerFont('cjk-regular', font('cjk', 'regular') as never);

/** Lines as pdfkit's wrapper counts them, asked every time. */
function wrapperLines(text: string, width: number): number {
  return Math.round(doc.heightOfString(text || ' ', { width, lineGap: 1 }) / (doc.currentLineHeight(true) + 1));
}

const LATIN = [
  'A',
  'V',
  'T',
  'o',
  'y',
  'f',
  'i',
  'W',
  'a',
  '7',
  '1',
  '0',
  ' ',
  ' ',
  '-',
  '/',
  '.',
  ',',
  '(',
  ')',
  ':',
  '·',
  'ü',
  'é',
  'ß',
  '—',
  "'",
  '"',
  'L',
  'Y',
];
const CJK = ['ラ', 'イ', 'セ', 'ン', 'ス', '証', '明', '書', '、', '。', ' ', 'A', '1', '-', '（', '）'];

function text(random: () => number, alphabet: string[], length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(random() * alphabet.length)];
  return s;
}

describe('lineCount', () => {
  it.each([
    ['latin-regular', LATIN],
    ['latin-bold', LATIN],
    ['cjk-regular', CJK],
  ] as const)(
    "agrees with pdfkit's wrapper in %s on 3,000 random texts at widths around their own",
    (font, alphabet) => {
      const random = seededRandom(font.length * 7919);
      let oneLine = 0;
      for (let n = 0; n < 3000; n++) {
        const size = [7, 8, 8.5, 9, 9.5, 11, 20][Math.floor(random() * 7)]!;
        doc.font(font).fontSize(size);
        const t = text(random, alphabet, 1 + Math.floor(random() * 40));
        // From a little under the text's width to half again as wide: both sides of every edge.
        const width = Math.max(1, Math.round(doc.widthOfString(t) * (0.9 + random() * 0.6) * 100) / 100);
        const counted = lineCount(doc, font, size, width, t);
        expect(counted, `${JSON.stringify(t)} at ${size} pt over ${width}`).toBe(wrapperLines(t, width));
        if (counted === 1) oneLine++;
      }
      // Both answers are exercised: many one-liners, and many texts that wrap.
      expect(oneLine).toBeGreaterThan(1000);
      expect(oneLine).toBeLessThan(2900);
    },
  );

  it('asks the wrapper about text with a line break in it, however wide the column', () => {
    doc.font('latin-regular').fontSize(9);
    expect(lineCount(doc, 'latin-regular', 9, 500, 'one\ntwo')).toBe(2);
    expect(lineCount(doc, 'latin-regular', 9, 500, 'one\u2028two')).toBe(wrapperLines('one\u2028two', 500));
  });
});
