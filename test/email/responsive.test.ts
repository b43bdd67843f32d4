import { mkdirSync, statSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailRenderer, type EmailRenderer } from '../../src/email/render.ts';
import type { FulfillmentDocument } from '../../src/model.ts';
import { horizontalOverflow, launchChromium } from '../support/chromium.ts';
import { documentsFor, EXAMPLES, loadExample, sampleKey } from '../support/documents.ts';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const KEYS = { SSRN3H5J7K9L2M: [sampleKey('JN11D2E7CAFB', 'LCABCDEFGHIJ'), sampleKey('JN125ED29AFL', 'LCKLMNOPQRST')] };

let browser: Browser;
let renderer: EmailRenderer;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  renderer = await createEmailRenderer();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Values without a place to break (a pasted hash, a generated URL) must wrap inside the card, not widen the page. */
function longValues(): FulfillmentDocument {
  const [doc] = documentsFor(loadExample('order-heritage-de'));
  const unbroken = 'X'.repeat(90);
  const [line] = doc!.lines;
  return {
    ...doc!,
    order: { ...doc!.order, poNumber: unbroken, endCustomer: { name: unbroken } },
    lines: [
      {
        ...line!,
        entitlement: {
          ...line!.entitlement,
          licenseName: unbroken,
          description: unbroken,
          sku: unbroken,
          activationCode: `Mk3pWz-${unbroken}`,
          ssrn: `SSRN${unbroken}`,
        },
        product: {
          ...line!.product,
          mode: 'key-in-email',
          instructionsUrl: `https://licensing.example.net/docs/activate/${'northstar-controller'.repeat(6)}?lang=de`,
        },
        keys: [
          { device: unbroken, licenseId: 'LCABCDEFGHIJ', issuedOn: '2026-11-28', key: `LCABCDEFGHIJ\n${unbroken}` },
        ],
      },
    ],
  };
}

// The first fulfillment of an example is saved as email-<example>-<width>.png; later ones add their ship date.
const cases = [
  ...EXAMPLES.flatMap((name) =>
    documentsFor(loadExample(name), KEYS).map((doc, i) => ({
      name: i === 0 ? name : `${name}-${doc.fulfillment.shipDate}`,
      doc,
      realKeys: true,
    })),
  ),
  { name: 'long-values', doc: longValues(), realKeys: false },
].flatMap((c) => [320, 600].map((width) => [`${c.name} at ${width} px`, c, width] as const));

describe('the Fulfillment Email in Chromium', () => {
  it.each(cases)(
    '%s: no horizontal scrolling, no element beyond the right edge',
    async (_label, { name, doc, realKeys }, width) => {
      const { html } = renderer.render(doc, doc.order.contacts[0]!);
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      try {
        await page.setContent(html, { waitUntil: 'load' });
        const overflow = await horizontalOverflow(page);
        const layout = await page.evaluate(() => {
          // A key row that wraps is hard to copy and looks damaged: count the rendered lines of each key box.
          const keyLines = [...document.querySelectorAll('.key')].map((el) => {
            const range = document.createRange();
            range.selectNodeContents(el);
            return {
              rows: (el.textContent ?? '').split('\n').length,
              lines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size,
            };
          });
          return { visibleText: document.body.innerText, keyLines };
        });
        const path = `${ARTIFACTS}email-${name}-${width}.png`;
        await page.screenshot({ path, fullPage: true });
        expect(statSync(path).size).toBeGreaterThan(1000);
        expect(overflow.innerWidth).toBe(width);
        expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.innerWidth);
        expect(overflow.outside).toEqual([]);
        expect(layout.keyLines).toHaveLength(doc.lines.reduce((n, l) => n + l.keys.length, 0));
        if (realKeys) for (const k of layout.keyLines) expect(k.lines, 'a key row wrapped').toBe(k.rows);
        // What the reader needs is actually rendered, not hidden by the responsive rules.
        for (const { entitlement: e } of doc.lines) {
          expect(layout.visibleText).toContain(e.activationCode);
          expect(layout.visibleText).toContain(e.ssrn);
        }
      } finally {
        await page.close();
      }
    },
  );
});
