import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { inflateSync } from 'node:zlib';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { uncoveredCharacters } from '../../src/certificate/coverage.ts';
import { renderCertificate } from '../../src/certificate/render.ts';
import { parseEvent } from '../../src/event/schema.ts';
import type { FulfillmentDocument, IssuedKey } from '../../src/model.ts';
import { documentsFor, EXAMPLES, exampleDocuments, loadExample, TEST_BRAND } from '../support/documents.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lc-cert-'));
let n = 0;
function pdfFile(pdf: Buffer): string {
  const path = join(dir, `c${n++}.pdf`);
  writeFileSync(path, pdf);
  return path;
}
const tool = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
const layout = (path: string) => tool('pdftotext', ['-layout', path, '-']);
const raw = (path: string) => tool('pdftotext', ['-raw', path, '-']);
const pdfinfo = (path: string) => tool('pdfinfo', [path]);
const squash = (s: string) => s.replace(/\s+/g, '');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const rawEvent = (name: string) => JSON.parse(readFileSync(join(ROOT, 'fixtures/orders', `${name}.json`), 'utf8'));

/** Expected wording, written out by hand (not computed by the code under test). */
const DATES: Record<string, Record<string, string>> = {
  en: { '2026-11-28': '28 November 2026', '2029-12-28': '28 December 2029', '2027-01-15': '15 January 2027' },
  de: {
    '2026-11-28': '28. November 2026',
    '2026-12-31': '31. Dezember 2026',
    '2027-12-31': '31. Dezember 2027',
    '2027-01-15': '15. Januar 2027',
  },
  ja: { '2026-01-31': '2026年1月31日', '2027-03-02': '2027年3月2日' },
};
const TERMS: Record<string, Record<string, string[]>> = {
  // [type/term words, grace, no-end text]
  en: { sub: ['Subscription', 'months'], grace: ['+ 30 days grace'], perpetual: ['Perpetual'], noEnd: ['no end date'] },
  de: { sub: ['Abonnement', 'Monate'], grace: ['+ 30 Tage Kulanz'], perpetual: ['Unbefristet'], noEnd: ['kein Ende'] },
  ja: { sub: ['サブスクリプション', 'か月'], grace: ['+ 猶予 30 日'], perpetual: ['永久'], noEnd: ['終了日なし'] },
};
// "fi" is drawn as a ligature glyph: it must still read back as the two letters people search for.
const TITLE: Record<string, string> = {
  en: 'Software Entitlement Certificate',
  de: 'Software-Berechtigungszertifikat',
  ja: 'ソフトウェア権利証明書',
};
const PAGE: Record<string, (p: number, of: number) => string> = {
  en: (p, of) => `Page ${p} of ${of}`,
  de: (p, of) => `Seite ${p} von ${of}`,
  ja: (p, of) => `${p} / ${of} ページ`,
};

const KEYS: Record<string, IssuedKey[]> = {
  SSRN3H5J7K9L2M: ['JN11D2E7CAFB', 'JN125ED29AFL'].map((device, i) => ({
    device,
    licenseId: `LC00000000${i}X`,
    issuedOn: '2027-01-15',
    key: `LC00000000${i}X\nAAAAA BBBBB`,
  })),
};
const docs = EXAMPLES.flatMap((name) =>
  documentsFor(loadExample(name), KEYS).map((d) => [`${name} ${d.fulfillment.shipDate}`, d] as const),
);

/**
 * Glyph ids drawn by the text operators of every page: pdfkit writes text as hex strings of 4-digit subset glyph ids,
 * and a subset's glyph 0 is always the missing-glyph box (.notdef).
 */
function drawnGlyphIds(pdf: Buffer): string[] {
  const ids: string[] = [];
  for (const m of pdf.toString('latin1').matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      continue; // not a Flate stream (none of pdfkit's content streams)
    }
    for (const tj of content.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      for (const hex of tj[1]!.matchAll(/<([0-9a-f]+)>/gi)) ids.push(...hex[1]!.match(/.{4}/g)!);
    }
  }
  return ids;
}

/** Each word of `value` is on the page as laid out, and the whole value reads in order. */
function expectOnPage(layoutText: string, rawText: string, value: string) {
  for (const word of value.split(/\s+/).filter(Boolean))
    expect(layoutText, `word "${word}" of "${value}"`).toContain(word);
  expect(squash(rawText), value).toContain(squash(value));
}

describe('the Software Entitlement Certificate', () => {
  it.each(docs)(
    '%s: states every purchase detail as selectable text, with embedded subset fonts and document info',
    async (_name, doc) => {
      const path = pdfFile(await renderCertificate(doc));
      const text = layout(path);
      const rawText = raw(path);
      const { order, fulfillment } = doc;
      const locale = order.locale;
      const dates = DATES[locale]!;
      const terms = TERMS[locale]!;

      expect(text).toContain(TITLE[locale]!);
      // Header fields do not wrap: they must read exactly, each on its line.
      expect(text).toContain(fulfillment.certificateNumber);
      expect(text).toContain(dates[fulfillment.shipDate]!);
      expect(text).toMatch(new RegExp(`\\s${order.number}\\n`));
      if (order.poNumber) expect(text).toContain(order.poNumber);
      expect(text).toContain(`${order.endCustomer.name} (${order.endCustomer.country})`);
      for (const a of order.accounts) expect(text).toContain(`${a.id} ${a.name}`);

      for (const { entitlement: e, keys } of doc.lines) {
        for (const v of [e.sku, e.activationCode, e.ssrn]) expect(text).toContain(v);
        expectOnPage(text, rawText, e.licenseName);
        expect(text).toMatch(new RegExp(`${e.sku}\\s+${e.quantity}\\s`));
        expectOnPage(text, rawText, dates[e.startDate]!);
        if (e.licenseType === 'subscription') {
          // Japanese may break a word at any character, so compare without white space, in reading order.
          expect(squash(rawText)).toContain(squash(`${terms.sub![0]} ${e.termMonths} ${terms.sub![1]}`));
          if (e.graceDays) expectOnPage(text, rawText, terms.grace![0]!);
          if (e.renewsSsrn) expect(text).toContain(e.renewsSsrn);
        } else {
          expect(text).toContain(terms.perpetual![0]);
        }
        if (e.endDate) expectOnPage(text, rawText, dates[e.endDate]!);
        else expectOnPage(text, rawText, terms.noEnd![0]!);
        for (const k of keys) expect(text).toContain(k.device);
      }
      // The Japanese label mixes two fonts ("1 / 1" Latin, "ページ" CJK), right-aligned: it must read in one line.
      expect(text).toContain(PAGE[locale]!(1, 1));

      const fonts = tool('pdffonts', [path]).split('\n').slice(2).filter(Boolean);
      expect(fonts.length).toBeGreaterThan(0);
      for (const f of fonts) expect(f, f).toMatch(/^[A-Z]{6}\+\S+\s+.*\syes\s+yes\s+yes\s/);

      const info = pdfinfo(path);
      expect(info).toMatch(new RegExp(`Title:\\s+.+ ${fulfillment.certificateNumber}\\n`));
      expect(info).toMatch(new RegExp(`Subject:\\s+.*${order.number}\\n`));
      expect(info).toMatch(new RegExp(`Author:\\s+${TEST_BRAND.name}\\n`));
      expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
      expect(info).toMatch(/Tagged:\s+yes/);
      expect(info).toMatch(/CreationDate:\s+.*00:00:00 \d{4} UTC/);

      // Tagged structure: the title is a heading, and each line is a table row whose cells hold its values.
      const struct = tool('pdfinfo', ['-struct-text', path]);
      expect(struct).toMatch(/H1 \(block\)\n\s+".+"/);
      for (const { entitlement: e } of doc.lines)
        expect(struct).toMatch(new RegExp(`TD\\n\\s+"${e.activationCode}${e.ssrn}"`));
    },
  );

  it('shows the devices of a key-in-email line', async () => {
    const doc = documentsFor(loadExample('order-heritage-de'), KEYS).find(
      (d) => d.fulfillment.shipDate === '2027-01-15',
    )!;
    const path = pdfFile(await renderCertificate(doc));
    expectOnPage(layout(path), raw(path), 'Geräte: JN11D2E7CAFB, JN125ED29AFL');
  });

  it('prints on Letter when the brand asks for it', async () => {
    const [doc] = documentsFor(loadExample('order-ex-srx'), {}, { ...TEST_BRAND, paperSize: 'LETTER' });
    expect(pdfinfo(pdfFile(await renderCertificate(doc!)))).toMatch(/Page size:\s+612 x 792 pts \(letter\)/);
  });

  it('draws names in any script with real glyphs, never the missing-glyph box, and reads them back as text', async () => {
    const names = [
      'Jürgen Weiß',
      'Łódź Sp. z o.o.',
      'Ærøskøbing ApS',
      'Αθηνά Παπαδοπούλου',
      'Дмитрий Иванов',
      '株式会社サクラネット',
      '山田 太郎',
    ];
    for (const name of names) expect(uncoveredCharacters(name), name).toEqual([]);
    const event = rawEvent('order-ex-srx');
    event.salesOrder.endCustomer = { name: 'Αθηνά Παπαδοπούλου', country: 'GR' };
    event.salesOrder.accounts = names.map((name, i) => ({
      id: `010000000${i}`,
      role: i === 1 ? 'partner' : 'customer',
      name,
    }));
    const [doc] = documentsFor(parseEvent(event));
    const pdf = await renderCertificate(doc!);
    const path = pdfFile(pdf);
    const text = layout(path);
    for (const name of names) expect(text, name).toContain(name);
    expect(text).toContain('Αθηνά Παπαδοπούλου (GR)');
    const drawn = drawnGlyphIds(pdf);
    expect(drawn.length).toBeGreaterThan(500);
    expect(drawn).not.toContain('0000');
    for (const f of tool('pdffonts', [path]).split('\n').slice(2).filter(Boolean)) expect(f).toMatch(/^[A-Z]{6}\+/);
  });

  it('reports characters no font has, which would otherwise print as the missing-glyph box', async () => {
    expect(uncoveredCharacters('ok 𓀀 Łódź 山田 𓀀')).toEqual(['𓀀']);
    // Intake refuses such a name; a document made without intake shows what it would have printed.
    const [doc] = documentsFor(loadExample('order-ex-srx'));
    doc!.order.endCustomer = { name: 'Pharaoh 𓀀 GmbH', country: 'EG' };
    // The check above would catch it: the box is really drawn.
    expect(drawnGlyphIds(await renderCertificate(doc!))).toContain('0000');
  });

  it('continues a 300-line order over several pages, each with the table header and "Page N of M", listing all 300 SSRNs', async () => {
    const event = rawEvent('order-ex-srx');
    const template = event.lines[0];
    const ssrn = (i: number) => `SSRN${String(i).padStart(10, '0')}`;
    event.lines = Array.from({ length: 300 }, (_, i) => ({
      ...template,
      lineNumber: `${i + 1}`,
      activationCode: `Ab${String(i).padStart(4, '0')}-Cd3Ef-Gh4Ij`,
      ssrn: ssrn(i),
    }));
    const [doc] = documentsFor(parseEvent(event));
    expect(doc!.lines).toHaveLength(300);
    const path = pdfFile(await renderCertificate(doc!));
    const pages = Number(/Pages:\s+(\d+)/.exec(pdfinfo(path))![1]);
    expect(pages).toBeGreaterThan(2);
    const perPage = layout(path)
      .split('\f')
      .filter((p) => p.trim());
    expect(perPage).toHaveLength(pages);
    perPage.forEach((page, i) => {
      expect(page, `page ${i + 1}`).toMatch(
        /Line\s+SKU \/ License\s+Qty\s+Type \/ Term\s+Start \/ End\s+Activation Code \/ SSRN/,
      );
      expect(page, `page ${i + 1}`).toContain(`Page ${i + 1} of ${pages}`);
    });
    const all = perPage.join('\n');
    for (let i = 0; i < 300; i++) {
      expect(all, ssrn(i)).toContain(ssrn(i));
      expect(all).toContain(`Ab${String(i).padStart(4, '0')}-Cd3Ef-Gh4Ij`);
    }
    // Each SSRN is printed once: no line is lost or duplicated at a page break.
    expect(all.match(/SSRN\d{10}/g)).toHaveLength(300);
    // In the structure tree the table has one header row (repeats are page furniture) and one row per line.
    const struct = tool('pdfinfo', ['-struct-text', path]);
    expect(struct.match(/TH\n\s+"SKU \/ License"/g)).toHaveLength(1);
    expect(struct.match(/TD\n\s+"Ab\d{4}-Cd3Ef-Gh4IjSSRN\d{10}"/g)).toHaveLength(300);
    // 300 lines through pdfkit, pdftotext and pdfinfo: seconds alone, minutes on a machine shared with other suites
  }, 240_000);

  it.each(EXAMPLES)('%s: the QR code on page 1 decodes to the verification address, also printed', async (name) => {
    const [doc] = exampleDocuments(name);
    const path = pdfFile(await renderCertificate(doc!));
    // Page 1 as printed at 150 dpi, kept in test-artifacts/ for a person to look at.
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    const png = join(ROOT, 'test-artifacts', `certificate-${name}`);
    execFileSync('pdftoppm', ['-r', '150', '-png', '-singlefile', '-f', '1', '-l', '1', path, png]);
    const decoded = tool('zbarimg', ['--raw', '-q', `${png}.png`]).trim();
    const url = `https://licensing.example.net/verify/${doc!.fulfillment.certificateNumber}`;
    expect(decoded).toBe(url);
    expect(layout(path)).toContain(url);
  });

  it('gives the same bytes for the same entitlement, twice in this process and in another process', async () => {
    // Draw first (the brand name leads the page) characters that share a glyph with ones the examples use: in Noto Sans
    // JP the no-break space with the space, the Kangxi radical ⽉ with 月. What a process drew before must not change
    // the bytes of the next certificate.
    await renderCertificate(documentsFor(loadExample('order-ja'), {}, { ...TEST_BRAND, name: '山田\u00a0⽉' })[0]!);
    for (const name of EXAMPLES) {
      const ours = [];
      for (const doc of exampleDocuments(name)) {
        const a = await renderCertificate(doc);
        const b = await renderCertificate(structuredClone(doc) as FulfillmentDocument);
        expect(a.equals(b), name).toBe(true);
        ours.push(sha256(a));
      }
      const { stdout } = await promisify(execFile)('npx', ['tsx', 'test/certificate/render-child.ts', name], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(stdout.trim().split('\n'), name).toEqual(ours);
    }
  });
});
