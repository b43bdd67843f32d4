import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIXTURE = join(ROOT, 'fixtures/orders/order-heritage-de.json');
const CERT_1 = 'SEC-15563301-20261128-0FAFFB'; // renewal line, ships 2026-11-28, email activation
const CERT_2 = 'SEC-15563301-20270115-E7E6D6'; // key-in-email line, ships 2027-01-15, two devices
const RECIPIENTS = ['juergen.weiss@mueller-netz.example', 'it@mueller-netz.example'];

describe('license-courier render <event> --out <dir>', () => {
  let out: string;
  let result: CliResult;
  beforeAll(async () => {
    out = join(mkdtempSync(join(tmpdir(), 'lc-render-')), 'out');
    result = await runCli(['render', FIXTURE, '--out', out], {}, { cwd: ROOT });
  });

  it('exits 0 and writes per recipient the HTML, text and .eml, and one certificate PDF per fulfillment', () => {
    expect(result.stderr.replace(/^note: .*\n/m, '')).toBe('');
    expect(result.code).toBe(0);
    const expected = [CERT_1, CERT_2].flatMap((cert) => [
      `Software-Entitlement-Certificate-${cert}.pdf`,
      ...RECIPIENTS.flatMap((r) => ['html', 'txt', 'eml'].map((ext) => `${cert}.${r}.${ext}`)),
    ]);
    expect(readdirSync(out).sort()).toEqual([...expected].sort());
    // It lists what it wrote.
    for (const f of expected) expect(result.stdout).toContain(join(out, f));
    for (const cert of [CERT_1, CERT_2]) {
      expect(
        readFileSync(join(out, `Software-Entitlement-Certificate-${cert}.pdf`))
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
      for (const r of RECIPIENTS) {
        expect(readFileSync(join(out, `${cert}.${r}.html`), 'utf8')).toMatch(/^<!doctype html>/i);
        expect(readFileSync(join(out, `${cert}.${r}.txt`), 'utf8')).toContain('15563301');
      }
    }
  });

  describe('the .eml of the key-in-email fulfillment (2027-01-15)', () => {
    let mail: ParsedMail;
    beforeAll(async () => {
      mail = await simpleParser(readFileSync(join(out, `${CERT_2}.${RECIPIENTS[0]}.eml`)));
    });

    it('is addressed to its one recipient, with the German subject', () => {
      expect(mail.to && !Array.isArray(mail.to) && mail.to.value.map((a) => a.address)).toEqual([RECIPIENTS[0]]);
      expect(mail.to && !Array.isArray(mail.to) && mail.to.value[0]!.name).toBe('Jürgen Weiß');
      expect(mail.subject).toBe('Ihre Lizenzen zum Auftrag 15563301, Müller Netzwerke GmbH');
      expect(mail.messageId).toBeTruthy();
      expect(mail.from?.value[0]?.address).toBeTruthy();
    });

    it('has an HTML and a text part equal to the files written beside it', () => {
      expect(mail.text).toBeTruthy();
      expect(mail.html).toBeTruthy();
      expect(mail.text!.trim()).toBe(readFileSync(join(out, `${CERT_2}.${RECIPIENTS[0]}.txt`), 'utf8').trim());
      expect(mail.html).toContain('Qr5sTu-8VwXy-Za1BcD');
      expect(mail.text).toContain('Qr5sTu-8VwXy-Za1BcD');
      expect(mail.text).toContain('SSRN3H5J7K9L2M');
    });

    it('attaches the certificate PDF, identical to the written one, and one .lic key per device', () => {
      const pdfs = mail.attachments.filter((a) => a.contentType === 'application/pdf');
      expect(pdfs).toHaveLength(1);
      expect(pdfs[0]!.filename).toBe(`Software-Entitlement-Certificate-${CERT_2}.pdf`);
      expect(pdfs[0]!.content.equals(readFileSync(join(out, `Software-Entitlement-Certificate-${CERT_2}.pdf`)))).toBe(
        true,
      );

      const keys = mail.attachments.filter((a) => a.filename?.endsWith('.lic'));
      expect(keys).toHaveLength(2);
      for (const device of ['JN11D2E7CAFB', 'JN125ED29AFL']) {
        const file = keys.find((k) => k.filename!.endsWith(`-${device}.lic`));
        expect(file, device).toBeDefined();
        // The file opens with `#` lines saying what the key is for; verify-key skips them.
        const content = file!.content.toString('utf8');
        expect(content).toMatch(new RegExp(`^# License key LC[A-Z2-7]{10} for device ${device}\n`));
        const key = content
          .split('\n')
          .filter((l) => l && !l.startsWith('#'))
          .join('\n');
        expect(key.split('\n').length).toBeGreaterThan(1);
        // The attached key is the one shown in the email under its device.
        expect(mail.text).toContain(`${device}\n${key}`);
      }
      expect(mail.attachments).toHaveLength(3);
    });
  });

  it('the .eml of the email-activation fulfillment carries the PDF and no key file', async () => {
    const mail = await simpleParser(readFileSync(join(out, `${CERT_1}.${RECIPIENTS[1]}.eml`)));
    expect(mail.to && !Array.isArray(mail.to) && mail.to.value.map((a) => a.address)).toEqual([RECIPIENTS[1]]);
    expect(mail.attachments.map((a) => a.filename)).toEqual([`Software-Entitlement-Certificate-${CERT_1}.pdf`]);
    expect(mail.text).toContain('Guten Tag,');
    expect(mail.text).toContain('Mk3pWz-7HqRt-Bn4VxC');
  });

  it('rejects a malformed event with exit 2, one line per error naming its field, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lc-render-bad-'));
    const event = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    event.lines[0].quantity = 0;
    event.lines[1].shipDate = '2027-02-30';
    event.salesOrder.contacts[0].email = 'not an address';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(event));
    const bad = await runCli(['render', join(dir, 'bad.json'), '--out', join(dir, 'out')], {}, { cwd: ROOT });
    expect(bad.code).toBe(2);
    const lines = bad.stderr.split('\n');
    for (const field of ['lines[0].quantity', 'lines[1].shipDate', 'salesOrder.contacts[0].email']) {
      expect(
        lines.filter((l) => l.includes(field)),
        `${field} in:\n${bad.stderr}`,
      ).toHaveLength(1);
    }
    // No stack trace for a user's mistake.
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'out')) && readdirSync(join(dir, 'out')).length).toBeFalsy();
  });

  it('rejects a file that is not JSON with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lc-render-nojson-'));
    writeFileSync(join(dir, 'event.json'), 'salesOrder: 15563301\n');
    const bad = await runCli(['render', join(dir, 'event.json'), '--out', join(dir, 'out')], {}, { cwd: ROOT });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('JSON');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('render --out with recipients whose names differ only in characters a file name cannot hold', () => {
  it("writes each recipient's files apart: a/b@x.example does not overwrite a_b@x.example", async () => {
    const event = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { salesOrder: { contacts: unknown[] } };
    event.salesOrder.contacts = [{ email: 'a/b@x.example' }, { email: 'a_b@x.example' }, { email: 'a%2Fb@x.example' }];
    const dir = mkdtempSync(join(tmpdir(), 'lc-render-collide-'));
    writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
    const result = await runCli(['render', join(dir, 'event.json'), '--out', join(dir, 'out')], {}, { cwd: ROOT });
    expect(result.code).toBe(0);
    const emls = readdirSync(join(dir, 'out')).filter((f) => f.startsWith(CERT_1) && f.endsWith('.eml'));
    expect(emls).toHaveLength(3);
    const recipients = await Promise.all(
      emls.map(
        async (f) =>
          ((await simpleParser(readFileSync(join(dir, 'out', f)))).to as { value: Array<{ address: string }> })
            .value[0]!.address,
      ),
    );
    // Addressed as the service addresses them: in lower case.
    expect(recipients.sort()).toEqual(['a%2fb@x.example', 'a/b@x.example', 'a_b@x.example']);
  });
});
