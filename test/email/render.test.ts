import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmailRenderer, TEMPLATES_DIR, type EmailRenderer } from '../../src/email/render.ts';
import { formatDate } from '../../src/locale/format-date.ts';
import type { FulfillmentDocument, IssuedKey } from '../../src/model.ts';
import { documentsFor, exampleDocuments, EXAMPLES, loadExample, TEST_BRAND } from '../support/documents.ts';

let renderer: EmailRenderer;
beforeAll(async () => {
  renderer = await createEmailRenderer();
});

const DATE_LOCALE: Record<string, string> = { en: 'en-GB', de: 'de-DE', ja: 'ja-JP' };
const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/=/g, '&#x3D;').replace(/`/g, '&#x60;');
const FAKE_KEY: IssuedKey = { device: 'JN11D2E7CAFB', licenseId: 'LCABCDEFGHIJ', issuedOn: '2027-01-15', key: 'LCABCDEFGHIJ\nAAAAA BBBBB CCCCC DDDDD EEEEE FFFFF\nGGGGG HHHHH' };

function allDocuments(): Array<[string, FulfillmentDocument]> {
  return EXAMPLES.flatMap((name) => documentsFor(loadExample(name), { SSRN3H5J7K9L2M: [FAKE_KEY] }).map((d) => [`${name} ${d.fulfillment.shipDate}`, d] as [string, FulfillmentDocument]));
}

describe('the Fulfillment Email', () => {
  it.each(allDocuments())('%s: carries every field of every line in both parts', (_name, doc) => {
    const contact = doc.order.contacts[0]!;
    const { subject, html, text } = renderer.render(doc, contact);
    expect(subject).toContain(doc.order.number);
    const dateLocale = DATE_LOCALE[doc.order.locale]!;
    for (const { entitlement: e, product } of doc.lines) {
      const expected = [e.licenseName, e.description, e.sku, String(e.quantity), e.activationCode, e.ssrn, formatDate(e.startDate, dateLocale), product.instructionsUrl];
      if (e.endDate) expected.push(formatDate(e.endDate, dateLocale));
      for (const value of expected) {
        expect(text, value).toContain(value);
        expect(html, value).toContain(htmlEscape(value));
      }
    }
    expect(text).toContain(doc.fulfillment.certificateNumber);
    if (contact.name) expect(text).toContain(contact.name);
  });

  it('formats dates and strings in the order\'s language', () => {
    const [en] = exampleDocuments('order-ex-srx');
    const [de] = exampleDocuments('order-heritage-de');
    const [ja] = exampleDocuments('order-ja');
    expect(renderer.render(en!, en!.order.contacts[0]!).text).toContain('28 November 2026');
    const german = renderer.render(de!, de!.order.contacts[0]!);
    expect(german.subject).toBe('Ihre Lizenzen zum Auftrag 15563301');
    expect(german.text).toContain('31. Dezember 2026');
    expect(german.html).toContain('lang="de"');
    const japanese = renderer.render(ja!, ja!.order.contacts[0]!);
    expect(japanese.text).toContain('2026年1月31日');
    expect(japanese.text).toContain('山田 太郎 様');
  });

  it('falls back from a regional tag to its language, and from an unknown language to English', () => {
    const [doc] = exampleDocuments('order-heritage-de');
    const swiss = renderer.render({ ...doc!, order: { ...doc!.order, locale: 'de-CH' } }, doc!.order.contacts[1]!);
    expect(swiss.subject).toBe('Ihre Lizenzen zum Auftrag 15563301');
    const french = renderer.render({ ...doc!, order: { ...doc!.order, locale: 'fr' } }, doc!.order.contacts[1]!);
    expect(french.subject).toBe('Your licenses for sales order 15563301');
    expect(french.text).toContain('31 December 2026');
  });

  it('shows each delivery mode\'s steps', () => {
    const de = documentsFor(loadExample('order-heritage-de'), { SSRN3H5J7K9L2M: [FAKE_KEY] });
    const activation = renderer.render(de[0]!, de[0]!.order.contacts[0]!);
    expect(activation.text).toContain(`Schreiben Sie an ${TEST_BRAND.activationAddress}`);
    const keys = renderer.render(de[1]!, de[1]!.order.contacts[0]!);
    expect(keys.text).toContain(FAKE_KEY.key);
    expect(keys.html).toContain('AAAAA BBBBB CCCCC DDDDD EEEEE FFFFF');
    const noMailbox = documentsFor(loadExample('order-heritage-de'), {}, { ...TEST_BRAND, activationAddress: undefined })[0]!;
    expect(renderer.render(noMailbox, noMailbox.order.contacts[0]!).text).toContain(`Schreiben Sie an ${TEST_BRAND.supportEmail}`);
    const [portal] = exampleDocuments('order-ex-srx');
    expect(renderer.render(portal!, portal!.order.contacts[0]!).text).toContain(`licensing portal at ${TEST_BRAND.portalUrl}`);
  });

  it('shows hostile values as text: nothing runs, nothing expands', () => {
    const [doc] = exampleDocuments('order-ex-srx');
    const line = doc!.lines[0]!;
    const hostile: FulfillmentDocument = {
      ...doc!,
      order: { ...doc!.order, endCustomer: { name: 'Acme & "Sons" <i>Ltd</i>' } },
      lines: [{ ...line, entitlement: { ...line.entitlement, licenseName: '<script>alert(1)</script>', description: '{{x}} {{{y}}} {{#each z}}' } }],
    };
    const { html, text } = renderer.render(hostile, { email: 'eve@example.net', name: '<b>Eve</b>' });
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<b>Eve</b>');
    expect(html).not.toContain('<i>Ltd</i>');
    expect(html).toContain('{{x}} {{{y}}} {{#each z}}');
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('{{x}} {{{y}}} {{#each z}}');
    expect(text).toContain('Dear <b>Eve</b>,');
    expect(text).not.toContain('&lt;');
  });

  it('compiles once at start: rendering reads no template and runs no MJML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lc-templates-'));
    cpSync(TEMPLATES_DIR, dir, { recursive: true });
    const own = await createEmailRenderer({ templatesDir: dir });
    rmSync(dir, { recursive: true });
    const [doc] = exampleDocuments('order-ex-srx');
    const out = own.render(doc!, doc!.order.contacts[0]!);
    expect(out.html).toContain('hTq4Xe-P9dLm-Zw2RbK');
    expect(out.html).not.toMatch(/<mj-|{{/);
  });
});
