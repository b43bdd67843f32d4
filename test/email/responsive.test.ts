import { mkdirSync, statSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailRenderer, type EmailRenderer } from '../../src/email/render.ts';
import type { IssuedKey } from '../../src/model.ts';
import { documentsFor, EXAMPLES, loadExample } from '../support/documents.ts';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
// A realistic key: license ID, then eight rows of base32 groups.
const key = (device: string, id: string): IssuedKey => ({ device, licenseId: id, issuedOn: '2027-01-15', key: `${id}\n${'ABCDE FGHIJ KLMNO PQRST UVWXY Z2345\n'.repeat(8).trimEnd()}` });
const KEYS = { SSRN3H5J7K9L2M: [key('JN11D2E7CAFB', 'LCABCDEFGHIJ'), key('JN125ED29AFL', 'LCKLMNOPQRST')] };

let browser: Browser;
let renderer: EmailRenderer;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  renderer = await createEmailRenderer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
});

// The first fulfillment of an example is saved as email-<example>-<width>.png; later ones add their ship date.
const cases = EXAMPLES.flatMap((name) => documentsFor(loadExample(name), KEYS).map((doc, i) => ({ name: i === 0 ? name : `${name}-${doc.fulfillment.shipDate}`, doc })))
  .flatMap((c) => [320, 600].map((width) => [`${c.name} at ${width} px`, c, width] as const));

describe('the Fulfillment Email in Chromium', () => {
  it.each(cases)('%s: no horizontal scrolling, no element beyond the right edge', async (_label, { name, doc }, width) => {
    const { html } = renderer.render(doc, doc.order.contacts[0]!);
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    try {
      await page.setContent(html, { waitUntil: 'load' });
      const layout = await page.evaluate(() => {
        const vw = window.innerWidth;
        const outside = [...document.querySelectorAll('body *')]
          .map((el) => ({ el, r: el.getBoundingClientRect() }))
          .filter(({ r }) => r.width > 0 && r.height > 0 && r.right > vw + 0.5)
          .map(({ el, r }) => `${el.tagName.toLowerCase()} right=${r.right.toFixed(1)}: ${(el.textContent ?? '').trim().slice(0, 40)}`);
        return { scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, outside: outside.slice(0, 8), visibleText: document.body.innerText };
      });
      const path = `${ARTIFACTS}email-${name}-${width}.png`;
      await page.screenshot({ path, fullPage: true });
      expect(statSync(path).size).toBeGreaterThan(1000);
      expect(layout.innerWidth).toBe(width);
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
      expect(layout.outside).toEqual([]);
      // What the reader needs is actually rendered, not hidden by the responsive rules.
      for (const { entitlement: e } of doc.lines) {
        expect(layout.visibleText).toContain(e.activationCode);
        expect(layout.visibleText).toContain(e.ssrn);
      }
    } finally {
      await page.close();
    }
  });
});
