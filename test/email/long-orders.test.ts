import { beforeAll, describe, expect, it } from 'vitest';
import { createEmailRenderer, type EmailRenderer } from '../../src/email/render.ts';
import { FULL_LAYOUT_MAX_LINES } from '../../src/email/view.ts';
import type { FulfillmentDocument } from '../../src/model.ts';
import { longOrderDocument, sampleKey } from '../support/documents.ts';

// Long orders: a card per line would soon pass Gmail's clipping size, and Gmail would hide the
// rest of the email. Past FULL_LAYOUT_MAX_LINES the HTML lists the lines in a table; the text part stays complete.

let renderer: EmailRenderer;
beforeAll(async () => {
  renderer = await createEmailRenderer();
});

const render = (doc: FulfillmentDocument) => renderer.render(doc, doc.order.contacts[0]!);
const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
// Two rounds of the six example lines: every delivery mode twice. The sixth line (coherent-optics) has keys.
const KEYS = { SSRN3H5J7K9006: [sampleKey('JN11D2E7CAFB', 'LCABCDEFGHIJ'), sampleKey('JN125ED29AFL', 'LCKLMNOPQRST')] };
const LINES = 12;

describe('a long order', () => {
  it(`shows a card per line up to ${FULL_LAYOUT_MAX_LINES} lines, and a row per line beyond`, () => {
    expect(LINES).toBeGreaterThan(FULL_LAYOUT_MAX_LINES);
    const cards = render(longOrderDocument(FULL_LAYOUT_MAX_LINES));
    expect(count(cards.html, 'License type')).toBe(FULL_LAYOUT_MAX_LINES);
    expect(cards.html).not.toContain('so each is listed in one row');

    const rows = render(longOrderDocument(FULL_LAYOUT_MAX_LINES + 1));
    expect(rows.html).toContain(
      `This order has ${FULL_LAYOUT_MAX_LINES + 1} lines, so each is listed in one row here.`,
    );
    expect(rows.html).not.toContain('License type');
    expect(count(rows.text, '\nLicense type: ')).toBe(FULL_LAYOUT_MAX_LINES + 1);
  });

  it('lists every line in order: name, SKU × quantity, Activation Code over SSRN; keys whole under their line', () => {
    const doc = longOrderDocument(LINES, 'en', KEYS);
    const { html } = render(doc);
    let at = html.indexOf('Activation Code / SSRN');
    expect(at).toBeGreaterThan(0);
    for (const { entitlement: e } of doc.lines) {
      const row = html.indexOf(`${e.licenseName}<br>`, at);
      expect(row, e.ssrn).toBeGreaterThan(at);
      expect(html.indexOf(`${e.sku} × ${e.quantity}</span>`, row)).toBeGreaterThan(row);
      at = html.indexOf(`${e.activationCode}<br>${e.ssrn}</td>`, row);
      expect(at, e.ssrn).toBeGreaterThan(row);
    }
    const keyed = html.indexOf('Qr5sTu-8VwXy-Za1006<br>');
    for (const k of KEYS.SSRN3H5J7K9006) expect(html.indexOf(`>${k.key}</div>`)).toBeGreaterThan(keyed);
  });

  it('gives the steps once per product, pointing to the table; a mailto per email-activation line; the portal named', () => {
    const doc = longOrderDocument(LINES);
    const { html } = render(doc);
    for (const heading of [
      'EX Series Ethernet Switches: How to activate',
      'SRX Series Firewalls: How to activate',
      'Security Director Cloud: How to activate',
      'ATP Appliance: Your license keys',
      'Northstar Controller: How to activate by email',
      'Juniper Coherent Optics: Your license keys',
    ]) {
      expect(count(html, `${heading}<`), heading).toBe(1);
    }
    expect(count(html, 'Enter the Activation Code from the table and name the device')).toBe(2);
    expect(html).toContain(
      'Sign in to Security Director Cloud portal and enter the Activation Code from the table (or the SSRN from the table)',
    );
    expect(count(html, '>Security Director Cloud portal</a>')).toBe(1);
    expect(html).toContain('Write an email to activate@example.net with the Activation Code from the table and');
    for (const { entitlement: e, product } of doc.lines) {
      const mailto = `href="mailto:activate@example.net?subject&#x3D;Activation%20${e.activationCode}"`;
      expect(count(html, mailto), e.activationCode).toBe(product.mode === 'email-activation' ? 1 : 0);
    }
    expect(count(html, 'Activation instructions: ')).toBe(6);
  });

  it('keeps every detail of every line in the text part, steps naming its own code', () => {
    const doc = longOrderDocument(LINES, 'en', KEYS);
    const { text } = render(doc);
    for (const { entitlement: e, product } of doc.lines) {
      expect(text).toContain(`\n${e.licenseName}\n${e.description}\n`);
      for (const field of [`SKU: ${e.sku}`, `Quantity: ${e.quantity}`, `Activation Code: ${e.activationCode}`]) {
        expect(text).toContain(`\n${field}\n`);
      }
      expect(text).toContain(`Activation instructions: ${product.instructionsUrl}\n`);
      if (product.mode === 'portal') expect(text).toContain(`Enter the Activation Code ${e.activationCode} and`);
    }
    for (const k of KEYS.SSRN3H5J7K9006) expect(text).toContain(`Device ${k.device}\n${k.key}\n`);
    expect(text).not.toContain('from the table');
  });

  it('speaks the order language in the table too', () => {
    const german = render(longOrderDocument(LINES, 'de')).html;
    expect(german).toContain('Dieser Auftrag hat 12 Positionen');
    expect(german).toContain('Lizenz (Artikelnummer × Menge)');
    expect(german).toContain('Geben Sie den Aktivierungscode aus der Tabelle ein');
    const japanese = render(longOrderDocument(LINES, 'ja')).html;
    expect(japanese).toContain('この注文は 12 行あるため');
    expect(japanese).toContain('アクティベーションコード / SSRN');
    expect(japanese).toContain('アクティベーションコード (表を参照) を入力し');
  });
});
