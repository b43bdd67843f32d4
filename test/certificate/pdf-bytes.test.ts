import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { fonts } from '../../src/certificate/fonts.ts';
import { documentBytes } from '../../src/certificate/pdf-bytes.ts';

type Doc = InstanceType<typeof PDFDocument>;

const OPTIONS = {
  autoFirstPage: false, pdfVersion: '1.7', tagged: true, lang: 'de', displayTitle: true, font: null as unknown as string,
  info: { Title: 'Zertifikat (Größe) \\ 1', CreationDate: new Date('2026-11-28T00:00:00Z'), ModDate: new Date('2026-11-28T00:00:00Z') },
} as const;

/** Two pages of what a certificate holds: tagged text in two fonts and scripts, paths, colours, raw content. */
function draw(doc: Doc): void {
  const f = fonts();
  doc.registerFont('latin', f.latin.regular as never).registerFont('cjk', f.cjk.bold as never);
  const root = doc.struct('Document');
  doc.addStructure(root);
  for (let page = 1; page <= 2; page++) {
    doc.addPage();
    const p = doc.struct('P');
    root.add(p);
    p.add(() => doc.font('latin').fontSize(11).fillColor('#0b3c6f').text(`Seite ${page}: Lizenz für Größe (ÄÖÜ) — fi ligature`, 48, 48, { width: 300 }));
    p.add(() => doc.font('cjk').fontSize(9).text('ライセンス証明書', 48, 120));
    p.end();
    doc.markContent('Artifact');
    doc.moveTo(48, 200).lineTo(500, 200).lineWidth(0.5).strokeColor('#bcccdc').stroke();
    doc.addContent(Buffer.from('q\n1 0 0 1 10 10 cm\n0 0 5 1 re\nf\nQ\n', 'latin1'));
    doc.endMarkedContent();
  }
  root.end();
}

/** The document as pdfkit streams it itself. */
function streamed(): Promise<Buffer> {
  const doc = new PDFDocument(OPTIONS);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  draw(doc);
  doc.end();
  return done;
}

function collected(): Promise<Buffer> {
  const doc = new PDFDocument(OPTIONS);
  const done = documentBytes(doc);
  draw(doc);
  doc.end();
  return done;
}

describe('documentBytes', () => {
  it('gives the very bytes pdfkit streams, for a tagged two-page document with compressed text, fonts and paths', async () => {
    const [expected, actual] = [await streamed(), await collected()];
    expect(actual.length).toBeGreaterThan(5_000);
    expect(actual.equals(expected)).toBe(true);
  });
});
