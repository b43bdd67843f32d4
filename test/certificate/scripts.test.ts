import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fontCoverage } from '../../src/certificate/font-coverage-source.ts';
import { renderCertificate } from '../../src/certificate/render.ts';
import { parseEvent } from '../../src/event/schema.ts';
import { InvalidInputError } from '../../src/errors.ts';
import { documentsFor } from '../support/documents.ts';

// Names in every script the contract lists, on the end customer, an account, the PO number and a license name: each
// must come back from the text layer in logical (reading) order, from embedded fonts, and the certificate must be the
// same bytes every time (the hashes are pinned: a change of font, layout or library shows here).

const dir = mkdtempSync(join(tmpdir(), 'lc-scripts-'));
const tool = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const rawEvent = () =>
  JSON.parse(readFileSync(new URL('../../fixtures/orders/order-ex-srx.json', import.meta.url), 'utf8'));

const SCRIPTS: Array<[string, string, string]> = [
  ['Arabic', 'شركة النور للتجارة', '775ae8f0'],
  ['Hebrew', 'חברת אור בע״מ', '9d65ddb3'],
  ['Thai', 'บริษัท แสงทอง จำกัด', '790d8929'],
  ['Devanagari', 'भारत सॉफ़्टवेयर लिमिटेड', '12d08a15'],
  ['Korean', '주식회사 한빛소프트', '89300084'],
  ['Simplified Chinese', '北京软件有限公司', 'b7566f2b'],
  ['Traditional Chinese', '臺灣軟體股份有限公司', 'f4e044e3'],
  ['emoji', 'Happy Cats 😺🚀 GmbH', '374e5a86'],
];

function certificateWith(name: string) {
  const event = rawEvent();
  event.salesOrder.endCustomer.name = name;
  event.salesOrder.accounts[0].name = name;
  event.salesOrder.poNumber = `PO ${name}`;
  event.lines[0].licenseName = `${name} Pro`;
  return documentsFor(parseEvent(event))[0]!;
}

describe('names in every script on the certificate', () => {
  it.each(SCRIPTS)(
    '%s: embedded fonts, read back in logical order, a valid PDF/A-3 file with its data attached',
    async (script, name, hash) => {
      const pdf = await renderCertificate(certificateWith(name));
      const path = join(dir, `${script}.pdf`);
      writeFileSync(path, pdf);

      // pdftotext marks right-to-left stretches with embedding controls (U+202B ... U+202C).
      const text = tool('pdftotext', [path, '-']).replace(/[\u202a-\u202e]/g, '');
      // PO number, end customer, account and license name.
      expect(text.split(name).length - 1).toBe(4);
      const fonts = tool('pdffonts', [path]).split('\n').slice(2).filter(Boolean);
      for (const f of fonts) expect(f, f).toMatch(/^[A-Z]{6}\+\S+\s+.*\syes\s+yes\s+yes\s/);
      expect(
        fonts.some((f) => /NotoSansMono/.test(f)),
        'codes in Noto Sans Mono',
      ).toBe(true);

      expect(tool('qpdf', ['--check', path])).toContain('No syntax or stream encoding errors');
      expect(tool('pdfinfo', ['-meta', path])).toMatch(/<pdfaid:part>3<\/pdfaid:part>/);
      const attached = join(dir, `${script}.json`);
      tool('pdfdetach', ['-savefile', 'entitlements.json', '-o', attached, path]);
      const data = JSON.parse(readFileSync(attached, 'utf8'));
      expect(data.endCustomer.name).toBe(name);
      expect(data.lines[0].licenseName).toBe(`${name} Pro`);

      expect(createHash('sha256').update(pdf).digest('hex').slice(0, 8), 'pinned hash').toBe(hash);
    },
  );

  it('refuses at intake a character no certificate font has, naming the field and the character', () => {
    const event = rawEvent();
    event.lines[0].licenseName = 'Pharaoh 𓀀 Edition';
    const error = (() => {
      try {
        parseEvent(event);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues).toEqual([
      { path: 'lines[0].licenseName', message: 'has characters the certificate cannot print: "𓀀" (U+13000)' },
    ]);
  });

  it('has a coverage table that matches the installed fonts (after a font upgrade: npx tsx scripts/font-coverage.ts)', () => {
    const table = JSON.parse(readFileSync(new URL('../../src/certificate/coverage.json', import.meta.url), 'utf8'));
    expect(table).toEqual(fontCoverage());
  });
});
