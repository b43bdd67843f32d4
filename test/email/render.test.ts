import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mjmlCompilations, withoutIndentation } from '../../src/email/compile-templates.ts';
import { createEmailRenderer, type EmailRenderer } from '../../src/email/render.ts';
import { TEMPLATES_DIR } from '../../src/project-files.ts';
import type { Brand, FulfillmentDocument, IssuedKey } from '../../src/model.ts';
import { documentsFor, EXAMPLES, loadExample, TEST_BRAND } from '../support/documents.ts';

// Expectations are written out here (dates by hand, mode steps straight from the locale files), not computed with
// the code under test, so a wrong formatter or a wrong view shows up as a failure.

let renderer: EmailRenderer;
beforeAll(async () => {
  renderer = await createEmailRenderer();
});

/** What Handlebars' default escaping makes of a value in the HTML part. */
const htmlEscape = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;')
    .replace(/=/g, '&#x3D;')
    .replace(/`/g, '&#x60;');

/** The calendar dates of the examples, as a reader of each language expects them. */
const DATES: Record<string, Record<string, string>> = {
  en: {
    '2026-11-28': '28 November 2026',
    '2029-12-28': '28 December 2029',
    '2026-12-31': '31 December 2026',
    '2027-12-31': '31 December 2027',
    '2027-01-15': '15 January 2027',
    '2026-01-31': '31 January 2026',
    '2027-03-02': '2 March 2027',
    '2027-12-28': '28 December 2027',
  },
  de: {
    '2026-11-28': '28. November 2026',
    '2029-12-28': '28. Dezember 2029',
    '2026-12-31': '31. Dezember 2026',
    '2027-12-31': '31. Dezember 2027',
    '2027-01-15': '15. Januar 2027',
    '2026-01-31': '31. Januar 2026',
    '2027-03-02': '2. März 2027',
  },
  ja: {
    '2026-11-28': '2026年11月28日',
    '2029-12-28': '2029年12月28日',
    '2026-12-31': '2026年12月31日',
    '2027-12-31': '2027年12月31日',
    '2027-01-15': '2027年1月15日',
    '2026-01-31': '2026年1月31日',
    '2027-03-02': '2027年3月2日',
  },
};

type Locale = Record<string, string | string[]>;
const LOCALES: Record<string, Locale> = Object.fromEntries(
  ['en', 'de', 'ja'].map((l) => [
    l,
    JSON.parse(readFileSync(join(TEMPLATES_DIR, 'locales', `${l}.json`), 'utf8')) as Locale,
  ]),
);
const fill = (s: string, data: Record<string, string | undefined>) =>
  s.replace(/{{(\w+)}}/g, (_m, k: string) => data[k] ?? '');

/** The title and steps of a line's delivery mode, as the locale file words them. */
function modeBlock(locale: string, doc: FulfillmentDocument, line: FulfillmentDocument['lines'][number]): string[] {
  const s = LOCALES[locale]!;
  const { mode } = line.product;
  const data = {
    portal: doc.brand.portalUrl,
    code: line.entitlement.activationCode,
    ssrn: line.entitlement.ssrn,
    address: doc.brand.activationAddress,
    support: doc.brand.supportEmail,
    portalName: line.product.portalName,
  };
  const stepsKey =
    mode === 'email-activation' && !doc.brand.activationAddress
      ? 'mode.email-activation.noAddress'
      : `mode.${mode}.steps`;
  return [s[`mode.${mode}.title`] as string, ...(s[stepsKey] as string[]).map((step) => fill(step, data))];
}

const KEY: IssuedKey = {
  device: 'JN11D2E7CAFB',
  licenseId: 'LCABCDEFGHIJ',
  issuedOn: '2027-01-15',
  key: 'LCABCDEFGHIJ\nAAAAA BBBBB CCCCC DDDDD EEEEE FFFFF\nGGGGG HHHHH IIIII',
};
const KEY2: IssuedKey = {
  device: 'JN125ED29AFL',
  licenseId: 'LCKLMNOPQRST',
  issuedOn: '2027-01-15',
  key: 'LCKLMNOPQRST\nZZZZZ YYYYY XXXXX WWWWW VVVVV UUUUU\nTTTTT SSSSS',
};
const UUID_KEY: IssuedKey = {
  device: '7f3c2a9e-1b4d-4c8e-9a61-2d5f8e0b7c13',
  licenseId: 'LCUVWXYZ2345',
  issuedOn: '2026-11-28',
  key: 'LCUVWXYZ2345\nMMMMM NNNNN OOOOO PPPPP QQQQQ RRRRR',
};
const KEYS = { SSRN3H5J7K9L2M: [KEY, KEY2], SSRN7Z9A2B4C6D: [UUID_KEY] };

// The three contract examples, plus the cloud-security order: the only one with a product-portal line.
function allDocuments(): Array<[string, FulfillmentDocument]> {
  return [...EXAMPLES, 'order-cloud-security'].flatMap((name) =>
    documentsFor(loadExample(name), KEYS).map(
      (d) => [`${name} ${d.fulfillment.shipDate}`, d] as [string, FulfillmentDocument],
    ),
  );
}

function withLocale(doc: FulfillmentDocument, locale: string): FulfillmentDocument {
  return { ...doc, order: { ...doc.order, locale } };
}

describe('the Fulfillment Email', () => {
  it('covers every fulfillment of every example', () => {
    expect(allDocuments().map(([n]) => n)).toEqual([
      'order-ex-srx 2026-11-28',
      'order-heritage-de 2026-11-28',
      'order-heritage-de 2027-01-15',
      'order-ja 2026-01-31',
      'order-cloud-security 2026-11-28',
    ]);
    const modes = new Set(allDocuments().flatMap(([, d]) => d.lines.map((l) => l.product.mode)));
    expect([...modes].sort()).toEqual(['email-activation', 'key-in-email', 'portal', 'product-portal']);
  });

  it.each(allDocuments())(
    "%s: every line's fields, dates, link and delivery steps are in both the HTML and the text part",
    (_name, doc) => {
      for (const contact of doc.order.contacts) {
        const { subject, html, text } = renderer.render(doc, contact);
        expect(subject).toContain(doc.order.number);
        const dates = DATES[doc.order.locale]!;
        for (const line of doc.lines) {
          const { entitlement: e, product } = line;
          const expected = [
            e.licenseName,
            e.description,
            e.sku,
            String(e.quantity),
            e.activationCode,
            e.ssrn,
            dates[e.startDate]!,
            product.instructionsUrl,
            ...modeBlock(doc.order.locale, doc, line),
          ];
          if (e.endDate) expected.push(dates[e.endDate]!);
          for (const value of expected) {
            expect(value, 'a date the test does not know').toBeDefined();
            expect(text, `text: ${value}`).toContain(value);
            expect(html, `html: ${value}`).toContain(htmlEscape(value));
          }
        }
        expect(text).toContain(doc.fulfillment.certificateNumber);
        const orderFacts = [
          doc.order.number,
          doc.order.endCustomer.name,
          doc.brand.supportEmail,
          doc.brand.name,
          doc.fulfillment.certificateNumber,
        ];
        if (doc.order.poNumber) orderFacts.push(doc.order.poNumber);
        for (const value of orderFacts) {
          expect(text, `text: ${value}`).toContain(value);
          expect(html, `html: ${value}`).toContain(htmlEscape(value));
        }
        for (const { keys } of doc.lines) {
          for (const k of keys)
            expect(text).toContain(`${LOCALES[doc.order.locale]!.device as string} ${k.device}\n${k.key}\n`);
        }
        if (contact.name) {
          expect(text).toContain(contact.name);
          expect(html).toContain(htmlEscape(contact.name));
        }
        // Nothing of the template leaks into what the reader sees.
        expect(html).not.toMatch(/<mj-|{{|}}/);
        expect(text).not.toMatch(/{{|}}/);
      }
    },
  );

  it('writes dates the way each language does', () => {
    const [en] = documentsFor(loadExample('order-ex-srx'));
    for (const [locale, date] of [
      ['en', '28 November 2026'],
      ['de', '28. November 2026'],
      ['ja', '2026年11月28日'],
    ] as const) {
      const { html, text } = renderer.render(withLocale(en!, locale), en!.order.contacts[0]!);
      expect(text, locale).toContain(date);
      expect(html, locale).toContain(date);
    }
  });

  it('speaks German to a German order and Japanese to a Japanese one', () => {
    const [de] = documentsFor(loadExample('order-heritage-de'));
    const german = renderer.render(de!, de!.order.contacts[0]!);
    expect(german.subject).toBe('Ihre Lizenzen zum Auftrag 15563301, Müller Netzwerke GmbH');
    for (const part of [german.text, german.html]) {
      expect(part).toContain('Guten Tag Jürgen Weiß,');
      expect(part).toContain('Aktivierungscode');
      expect(part).toContain('Verlängerung von SSRN1111AAAA22');
      expect(part).toContain('So aktivieren Sie per E-Mail');
      expect(part).not.toContain('Activation Code');
    }
    expect(german.html).toContain('lang="de"');

    const [ja] = documentsFor(loadExample('order-ja'));
    const japanese = renderer.render(ja!, ja!.order.contacts[0]!);
    expect(japanese.subject).toBe(
      `受注番号 15563410(PO 注文-2026-0042) ${ja!.order.endCustomer.name} 様のライセンスのお知らせ`,
    );
    for (const part of [japanese.text, japanese.html]) {
      expect(part).toContain('山田 太郎 様');
      expect(part).toContain('アクティベーションコード');
      expect(part).toContain('2026年1月31日');
      expect(part).toContain('2027年3月2日');
      expect(part).not.toContain('Activation Code');
    }
    expect(japanese.html).toContain('lang="ja"');
  });

  it('names the grace period beside the end date of an initial subscription, and nowhere for a renewal or a perpetual license', () => {
    const [en] = documentsFor(loadExample('order-ex-srx'));
    const a = renderer.render(en!, en!.order.contacts[0]!);
    for (const part of [a.text, a.html]) expect(part).toContain('28 December 2029 (including a 30-day grace period)');
    expect(a.text).toContain('End date: 28 December 2029 (including a 30-day grace period)\n');
    expect(a.text).toContain('End date: none (perpetual)\n');
    expect(a.text.match(/grace/g)).toHaveLength(1);

    const [ja] = documentsFor(loadExample('order-ja'));
    expect(renderer.render(ja!, ja!.order.contacts[0]!).text).toContain('終了日: 2027年3月2日(猶予期間 30 日を含む)');

    const [de] = documentsFor(loadExample('order-heritage-de'));
    const renewal = renderer.render(de!, de!.order.contacts[0]!).text;
    expect(renewal).toContain('Ende: 31. Dezember 2027\n');
    expect(renewal).not.toContain('Kulanzzeit');
    expect(renderer.render(withLocale(en!, 'de'), en!.order.contacts[0]!).text).toContain(
      'Ende: 28. Dezember 2029 (inklusive 30 Tage Kulanzzeit)',
    );
  });

  it('falls back from de-CH to German and from fr to English', () => {
    const [doc] = documentsFor(loadExample('order-heritage-de'));
    const swiss = renderer.render(withLocale(doc!, 'de-CH'), doc!.order.contacts[1]!);
    expect(swiss.subject).toBe('Ihre Lizenzen zum Auftrag 15563301, Müller Netzwerke GmbH');
    expect(swiss.text).toContain('31. Dezember 2026');
    expect(swiss.text).toContain('Guten Tag,');
    const french = renderer.render(withLocale(doc!, 'fr'), doc!.order.contacts[1]!);
    expect(french.subject).toBe('Your licenses for sales order 15563301, Müller Netzwerke GmbH');
    expect(french.text).toContain('31 December 2026');
    expect(french.text).toContain('Hello,');
    expect(french.html).toContain('lang="en"');
  });

  it('shows the keys of a key-in-email line, each under its device, the multi-line key intact in the text part', () => {
    const doc = documentsFor(loadExample('order-heritage-de'), KEYS).find((d) =>
      d.lines.some((l) => l.product.mode === 'key-in-email'),
    )!;
    const { html, text } = renderer.render(doc, doc.order.contacts[0]!);
    expect(text).toContain(`Gerät ${KEY.device}\n${KEY.key}\n`);
    expect(text).toContain(`Gerät ${KEY2.device}\n${KEY2.key}\n`);
    for (const k of [KEY, KEY2]) {
      expect(html).toContain(k.device);
      for (const row of k.key.split('\n')) expect(html, row).toContain(row);
    }
  });

  it('names the activation address for an email-activation line, and the support address when there is none', () => {
    const [withMailbox] = documentsFor(loadExample('order-heritage-de'));
    const a = renderer.render(withMailbox!, withMailbox!.order.contacts[0]!);
    for (const part of [a.text, a.html]) {
      expect(part).toContain(
        `Schreiben Sie an ${TEST_BRAND.activationAddress} mit dem Aktivierungscode Mk3pWz-7HqRt-Bn4VxC`,
      );
    }
    const noMailbox: Brand = { ...TEST_BRAND, activationAddress: undefined };
    const [without] = documentsFor(loadExample('order-heritage-de'), {}, noMailbox);
    for (const locale of ['de', 'en']) {
      const b = renderer.render(withLocale(without!, locale), without!.order.contacts[0]!);
      for (const part of [b.text, b.html]) {
        expect(part).toContain(TEST_BRAND.supportEmail);
        expect(part).not.toContain(TEST_BRAND.activationAddress);
        expect(part).not.toMatch(/an\s+mit|to\s+with/);
      }
    }
    const en = renderer.render(withLocale(without!, 'en'), without!.order.contacts[0]!);
    expect(en.text).toContain(`Write to ${TEST_BRAND.supportEmail} with the Activation Code Mk3pWz-7HqRt-Bn4VxC`);
  });

  it("names a product-portal line's own portal, links to it and says what to enter there", () => {
    const [doc] = documentsFor(loadExample('order-cloud-security'));
    const { html, text } = renderer.render(doc!, doc!.order.contacts[0]!);
    for (const step of [
      'This product is activated in its own portal, Security Director Cloud portal, not in the licensing portal.',
      'Sign in to Security Director Cloud portal and enter the Activation Code Sd4kLm-9PqRs-Tu2VwX (or the SSRN SSRN6T8V1W3X5Y), as the activation instructions describe.',
    ]) {
      expect(text).toContain(step);
      expect(html).toContain(step);
    }
    expect(text).toContain('Security Director Cloud portal: https://sd-cloud.example.net\n');
    expect(html).toMatch(/<a href="https:\/\/sd-cloud\.example\.net"[^>]*>Security Director Cloud portal<\/a>/);
    // The order's other line (key-in-email) has no portal of its own.
    expect(html.match(/https:\/\/sd-cloud\.example\.net/g)).toHaveLength(1);

    const german = renderer.render(withLocale(doc!, 'de'), doc!.order.contacts[0]!).text;
    expect(german).toContain(
      'Melden Sie sich bei Security Director Cloud portal an und geben Sie dort den Aktivierungscode Sd4kLm-9PqRs-Tu2VwX',
    );

    // A catalog entry without a portal name: the link and the steps name the portal's host.
    const unnamed: FulfillmentDocument = {
      ...doc!,
      lines: doc!.lines.map((l) => ({ ...l, product: { ...l.product, portalName: undefined } })),
    };
    const plain = renderer.render(unnamed, doc!.order.contacts[0]!);
    expect(plain.text).toContain('in its own portal, sd-cloud.example.net, not in the licensing portal.');
    expect(plain.html).toMatch(/<a href="https:\/\/sd-cloud\.example\.net"[^>]*>sd-cloud\.example\.net<\/a>/);
  });

  it('shows hostile values as text: in HTML escaped, never as tags or expanded; in the text part literally', () => {
    const [doc] = documentsFor(loadExample('order-ex-srx'));
    const line = doc!.lines[0]!;
    const hostile: FulfillmentDocument = {
      ...doc!,
      lines: [
        {
          ...line,
          entitlement: {
            ...line.entitlement,
            licenseName: '<script>alert(1)</script>',
            description: '{{x}} {{{y}}} & "q"',
          },
        },
        doc!.lines[1]!,
      ],
    };
    const { html, text } = renderer.render(hostile, { email: 'eve@example.net', name: '<b>Eve</b>' });

    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<b>Eve</b>');
    expect(html).toContain('&lt;b&gt;Eve&lt;/b&gt;');
    expect(html).toContain('{{x}} {{{y}}} &amp; &quot;q&quot;');

    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('{{x}} {{{y}}} & "q"');
    expect(text).toContain('Dear <b>Eve</b>,');
    expect(text).not.toMatch(/&lt;|&gt;|&amp;|&quot;/);
  });

  it('shows hostile order, account, contact and brand values as text, in every string that quotes them', () => {
    const [doc] = documentsFor(loadExample('order-ex-srx'));
    const hostile: FulfillmentDocument = {
      ...doc!,
      order: {
        ...doc!.order,
        number: '{{order}}',
        poNumber: '{{#each lines}}PO{{/each}} & "1"',
        endCustomer: { name: '<img src=x onerror=alert(1)>' },
        accounts: [{ id: '0100012345', role: 'customer', name: "O'Brien & <Sons>" }],
      },
      brand: { ...doc!.brand, name: '<i>Brand</i> {{brand}}' },
    };
    const { subject, html, text } = renderer.render(hostile, {
      email: 'x@example.net',
      name: '{{name}} {{@root.subject}}',
    });

    expect(subject).toBe(
      'Your licenses for sales order {{order}}, PO {{#each lines}}PO{{/each}} & "1", <img src=x onerror=alert(1)>',
    );
    for (const literal of [
      '{{order}}',
      '{{#each lines}}PO{{/each}} & "1"',
      '<img src=x onerror=alert(1)>',
      "O'Brien & <Sons>",
      '<i>Brand</i> {{brand}}',
      'Dear {{name}} {{@root.subject}},',
    ]) {
      expect(text, literal).toContain(literal);
      expect(html, literal).toContain(htmlEscape(literal));
    }
    expect(html).not.toMatch(/<img|<i>|<Sons>/);
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });

  it('compiles once: creating a renderer runs MJML once; rendering never does', async () => {
    const before = mjmlCompilations();
    const own = await createEmailRenderer();
    expect(mjmlCompilations()).toBe(before + 1);
    for (const [, doc] of allDocuments()) {
      for (const locale of ['en', 'de', 'ja', 'de-CH', 'fr'])
        own.render(withLocale(doc, locale), doc.order.contacts[0]!);
    }
    expect(mjmlCompilations()).toBe(before + 1);
  });

  it('refuses to start with a broken template, instead of failing at the first message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lc-templates-'));
    try {
      cpSync(TEMPLATES_DIR, dir, { recursive: true });
      const text = join(dir, 'email/fulfillment.txt.hbs');
      writeFileSync(text, readFileSync(text, 'utf8').replace('{{/each}}', ''));
      await expect(createEmailRenderer({ templatesDir: dir })).rejects.toThrow(/fulfillment\.txt\.hbs: Parse error/);

      cpSync(TEMPLATES_DIR, dir, { recursive: true });
      const layout = join(dir, 'email/fulfillment.mjml');
      writeFileSync(layout, readFileSync(layout, 'utf8').replace('<mj-column>', '<mj-colum>'));
      await expect(createEmailRenderer({ templatesDir: dir })).rejects.toThrow(/fulfillment\.mjml: .*mj-colum/s);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('render is synchronous and reads no template', async () => {
    const pending = createEmailRenderer();
    expect(pending).toBeInstanceOf(Promise);
    // A renderer built from a copy of the templates keeps working after the copy is deleted: render touches no file.
    const dir = mkdtempSync(join(tmpdir(), 'lc-templates-'));
    cpSync(TEMPLATES_DIR, dir, { recursive: true });
    const own = await createEmailRenderer({ templatesDir: dir });
    await pending;
    rmSync(dir, { recursive: true });

    const [doc] = documentsFor(loadExample('order-ex-srx'));
    const contact = doc!.order.contacts[0]!;
    const first = own.render(doc!, contact);
    expect(first).not.toBeInstanceOf(Promise);
    expect(typeof first.html).toBe('string');
    expect(typeof first.text).toBe('string');
    expect(typeof first.subject).toBe('string');
    expect(first.html).toContain('hTq4Xe-P9dLm-Zw2RbK');
    for (let i = 0; i < 1000; i++) {
      const again = own.render(doc!, contact);
      if (again.html !== first.html || again.text !== first.text) expect.fail(`render ${i} differs`);
    }
    // The same compiled layout as the shared renderer: identical output.
    expect(renderer.render(doc!, contact)).toEqual(first);
  });
});

describe('account roles', () => {
  it("are named in the order's language", () => {
    const [de] = documentsFor(loadExample('order-heritage-de'));
    expect(renderer.render(de!, de!.order.contacts[0]!).text).toContain('0100099001 Müller Netzwerke GmbH (Kunde)');
    const [ja] = documentsFor(loadExample('order-ja'));
    expect(renderer.render(ja!, ja!.order.contacts[0]!).text).toContain('(顧客)');
    const [en] = documentsFor(loadExample('order-ex-srx'));
    expect(renderer.render(en!, en!.order.contacts[0]!).text).toContain('0100067890 Northwind Reseller (partner)');
  });
});

describe('one document, many recipients', () => {
  it('gives each recipient of a shared document their own greeting, exactly as a render of their own would', async () => {
    const doc = exampleDocument();
    const recipients = [
      { email: 'ann@example.com', name: 'Ann <b>"&" O\'Neil' },
      { email: 'ops@example.com' },
      { email: 'bo@example.com', name: 'Bo $& $1' },
    ];
    const shared = recipients.map((r) => renderer.render(doc, r));
    const fresh = await createEmailRenderer();
    recipients.forEach((r, i) => {
      expect(shared[i]).toEqual(fresh.render(structuredClone(doc), r));
    });
    expect(shared[0]!.html).toContain(htmlEscape('Ann <b>"&" O\'Neil'));
    expect(shared[0]!.html).not.toContain('Ann <b>');
    expect(shared[0]!.text).toContain('Ann <b>"&" O\'Neil');
    expect(shared[2]!.text).toContain('Bo $& $1');
    for (const m of shared) expect(m.html + m.text).not.toContain('\u0000');
  });
});

function exampleDocument(): FulfillmentDocument {
  return documentsFor(loadExample(EXAMPLES[0]))[0]!;
}

describe('the HTML as sent', () => {
  it('has no indentation, and keeps its line breaks so every line stays short', async () => {
    const doc = documentsFor(loadExample('order-ex-srx'))[0]!;
    const { html } = await renderer.render(doc, doc.order.contacts[0]!);
    expect(html).not.toMatch(/\n[ \t]/);
    expect(Math.max(...html.split('\n').map((l) => l.length))).toBeLessThan(998);
  });

  it('leaves what is inside <pre> and <textarea> as it was', () => {
    const html =
      '<div>\n    <p>a</p>\n  <pre>\n    kept\n</pre>\n    <textarea>\n  kept too</textarea>\n  <b>x</b>\n</div>';
    expect(withoutIndentation(html)).toBe(
      '<div>\n<p>a</p>\n<pre>\n    kept\n</pre>\n<textarea>\n  kept too</textarea>\n<b>x</b>\n</div>',
    );
  });
});
