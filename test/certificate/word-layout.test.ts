import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { fonts } from '../../src/certificate/fonts.ts';
import { rememberWordLayouts } from '../../src/certificate/word-layout.ts';

// Layouts kept across documents must give the documents pdfkit gives with its own per-document layout: the same text
// positions, kerning inside words and none across spaces, glyphs numbered in the order they are first drawn.

const TEXTS = ['AVATAR Wave To Yo', 'Software Entitlement Certificate', 'Größe: 1.234,56 € — fin', 'ライセンス 証明書 A-1', 'SSRN-7TQ2-K9VX-4M', ' lead and trail ', 'fi fl ffi'];

function document(): Promise<Buffer> {
  const doc = new PDFDocument({ autoFirstPage: false, font: null as unknown as string, info: { CreationDate: new Date(0) } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.addPage();
  const f = fonts();
  doc.registerFont('regular', f.latin.regular as never).registerFont('bold', f.latin.bold as never).registerFont('cjk', f.cjk.regular as never);
  let y = 40;
  for (const font of ['bold', 'regular', 'cjk']) {
    for (const text of TEXTS) {
      doc.font(font).fontSize(9 + (y % 5)).text(text, 40, (y += 14), { lineBreak: false });
      doc.text(text, 300, y, { width: 60, lineGap: 1 }); // wrapped: measured word by word
    }
  }
  // With OpenType features the layout differs, and is pdfkit's own every time.
  doc.font('regular').text('office fifty', 40, (y += 14), { lineBreak: false, features: ['liga'] });
  doc.font('regular').text('office fifty', 40, (y += 14), { lineBreak: false, features: [] as never });
  doc.end();
  return done;
}

describe('word layouts kept across documents', () => {
  it('give the bytes pdfkit gives with its own layout, the first time and from the cache', async () => {
    const own = await document();
    rememberWordLayouts(fonts().latin.regular);
    const first = await document();
    const cached = await document();
    expect(first.equals(own)).toBe(true);
    expect(cached.equals(own)).toBe(true);
  });
});
