import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { uncoveredCharacters } from '../../src/certificate/fonts.ts';
import { certificateQrPayload } from '../../src/certificate/qr.ts';
import { renderCertificate } from '../../src/certificate/render.ts';
import { formatDate } from '../../src/locale/format-date.ts';
import type { FulfillmentDocument, IssuedKey } from '../../src/model.ts';
import { documentsFor, EXAMPLES, loadExample, TEST_BRAND } from '../support/documents.ts';
import { rawExample } from '../support/events.ts';
import { parseEvent } from '../../src/event/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'lc-cert-'));
let n = 0;
function pdfFile(pdf: Buffer): string {
  const path = join(dir, `c${n++}.pdf`);
  writeFileSync(path, pdf);
  return path;
}
const pdftotext = (path: string) => execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
const pdftextRaw = (path: string) => execFileSync('pdftotext', ['-raw', path, '-'], { encoding: 'utf8' });
const pdfinfo = (path: string) => execFileSync('pdfinfo', [path], { encoding: 'utf8' });
const squash = (s: string) => s.replace(/\s+/g, '');
const KEY: IssuedKey = { device: 'JN11D2E7CAFB', licenseId: 'LCABCDEFGHIJ', issuedOn: '2027-01-15', key: 'LCABCDEFGHIJ\nAAAAA' };
const DATE_LOCALE: Record<string, string> = { en: 'en-GB', de: 'de-DE', ja: 'ja-JP' };

const docs = EXAMPLES.flatMap((name) => documentsFor(loadExample(name), { SSRN3H5J7K9L2M: [KEY] }).map((d) => [`${name} ${d.fulfillment.shipDate}`, d] as const));

describe('the Software Entitlement Certificate', () => {
  it.each(docs)('%s: states every purchase detail, as selectable text', async (_name, doc) => {
    const path = pdfFile(await renderCertificate(doc));
    // Words may wrap inside table cells; compare without white space.
    const text = squash(pdftextRaw(path));
    const date = (d: string) => squash(formatDate(d, DATE_LOCALE[doc.order.locale]!));
    const expected = [doc.fulfillment.certificateNumber, date(doc.fulfillment.shipDate), doc.order.number, doc.order.endCustomer.name, ...doc.order.accounts.map((a) => a.id)];
    if (doc.order.poNumber) expected.push(doc.order.poNumber);
    if (doc.order.endCustomer.country) expected.push(`(${doc.order.endCustomer.country})`);
    for (const { entitlement: e, keys } of doc.lines) {
      expected.push(e.sku, e.licenseName, String(e.quantity), e.activationCode, e.ssrn, date(e.startDate), ...keys.map((k) => k.device));
      if (e.endDate) expected.push(date(e.endDate));
      if (e.termMonths) expected.push(String(e.termMonths));
    }
    for (const value of expected) expect(text, value).toContain(squash(value));
    const fonts = execFileSync('pdffonts', [path], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f, f).toMatch(/^[A-Z]{6}\+\S+\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    const info = pdfinfo(path);
    expect(info).toMatch(new RegExp(`Title:\\s+.*${doc.fulfillment.certificateNumber}`));
    expect(info).toMatch(/Author:\s+Acme Licensing/);
    expect(info).toMatch(/Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
  });

  it('prints on Letter when asked', async () => {
    const [doc] = documentsFor(loadExample('order-ex-srx'), {}, { ...TEST_BRAND, paperSize: 'LETTER' });
    expect(pdfinfo(pdfFile(await renderCertificate(doc!)))).toMatch(/Page size:\s+612 x 792 pts \(letter\)/);
  });

  it('draws names in any script with real glyphs', async () => {
    const names = ['Jürgen Weiß', 'Łódź Sp. z o.o.', 'Ærøskøbing ApS', 'Αθηνά Παπαδοπούλου', 'Дмитрий Иванов', '株式会社サクラネット', '山田 太郎'];
    for (const name of names) expect(uncoveredCharacters(name), name).toEqual([]);
    const event = rawExample('order-ex-srx');
    event.salesOrder = { ...event.salesOrder, endCustomer: { name: names[3]!, country: 'GR' },
      accounts: names.slice(0, 5).map((name, i) => ({ id: `A00${i}`, role: 'customer', name })) } as typeof event.salesOrder;
    event.lines[0] = { ...event.lines[0]!, licenseName: `${names[5]} ${names[4]}` };
    const [doc] = documentsFor(parseEvent(event));
    const text = pdftotext(pdfFile(await renderCertificate(doc!)));
    for (const name of names.slice(0, 6)) expect(text).toContain(name);
    // A character no font has is detected, so it can never print as an empty box unnoticed.
    expect(uncoveredCharacters('ok 𓀀')).toEqual(['𓀀']);
  });

  it('continues a 300-line order over pages, repeating the table header, numbering the pages', async () => {
    const event = rawExample('order-ex-srx');
    const template = event.lines[0]!;
    event.lines = Array.from({ length: 300 }, (_, i) => ({
      ...template, lineNumber: `${i + 1}`, activationCode: `Ab${String(i).padStart(4, '0')}-Cd3Ef-Gh4Ij`, ssrn: `SSRN${String(i).padStart(10, '0')}`,
    }));
    const [doc] = documentsFor(parseEvent(event));
    const path = pdfFile(await renderCertificate(doc!));
    const pages = Number(/Pages:\s+(\d+)/.exec(pdfinfo(path))![1]);
    expect(pages).toBeGreaterThan(5);
    const perPage = pdftotext(path).split('\f').filter((p) => p.trim());
    expect(perPage).toHaveLength(pages);
    perPage.forEach((page, i) => {
      expect(page).toContain('Activation Code / SSRN');
      expect(page).toContain(`Page ${i + 1} of ${pages}`);
    });
    const all = squash(perPage.join(''));
    for (let i = 0; i < 300; i++) expect(all).toContain(`SSRN${String(i).padStart(10, '0')}`);
    // The QR code holds what fits and says how many more the table lists.
    expect(certificateQrPayload(doc!)).toMatch(/^CERT:\S+( SSRN:SSRN\d{10})+ MORE:\d+$/);
  });

  it('carries the certificate number and SSRNs in a QR code that a scanner reads', async () => {
    const [doc] = documentsFor(loadExample('order-ex-srx'));
    const path = pdfFile(await renderCertificate(doc!));
    execFileSync('pdftoppm', ['-r', '200', '-png', '-f', '1', '-l', '1', path, join(dir, 'qr')]);
    const decoded = execFileSync('zbarimg', ['--raw', '-q', join(dir, 'qr-1.png')], { encoding: 'utf8' }).trim();
    expect(decoded).toBe(certificateQrPayload(doc!));
    expect(decoded).toBe('CERT:SEC-15563238-20261128-2053E6 SSRN:SSRN4K7Q2M9X1A SSRN:SSRN8B3N5V2C7D');
  });

  it('gives the same bytes for the same entitlement, in this process and in another', async () => {
    const [doc] = documentsFor(loadExample('order-heritage-de'));
    const a = await renderCertificate(doc!);
    const b = await renderCertificate(structuredClone(doc!) as FulfillmentDocument);
    expect(a.equals(b)).toBe(true);
    const script = join(dir, 'render-once.mts');
    writeFileSync(script, `import { renderCertificate } from '${new URL('../../src/certificate/render.ts', import.meta.url).pathname}';
import { exampleDocuments } from '${new URL('../support/documents.ts', import.meta.url).pathname}';
const pdf = await renderCertificate(exampleDocuments('order-heritage-de')[0]!);
process.stdout.write(pdf.toString('base64'));\n`);
    const other = Buffer.from(execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname }), 'base64');
    const sha = (x: Buffer) => createHash('sha256').update(x).digest('hex');
    expect(sha(other)).toBe(sha(a));
    expect(readFileSync(pdfFile(a)).subarray(0, 8).toString()).toBe('%PDF-1.7');
  });
});
