import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailRenderer, type EmailRenderer } from '../../src/email/render.ts';
import type { IssuedKey } from '../../src/model.ts';
import { documentsFor, EXAMPLES, loadExample } from '../support/documents.ts';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const KEY: IssuedKey = { device: 'JN11D2E7CAFB', licenseId: 'LCABCDEFGHIJ', issuedOn: '2027-01-15', key: `LCABCDEFGHIJ\n${'ABCDE FGHIJ KLMNO PQRST UVWXY Z2345\n'.repeat(8)}` };

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

const cases = EXAMPLES.flatMap((name) => documentsFor(loadExample(name), { SSRN3H5J7K9L2M: [KEY] }).map((doc, i) => ({ name: `${name}-${i}`, doc })))
  .flatMap((c) => [320, 600].map((width) => [`${c.name} at ${width} px`, c, width] as const));

describe('the Fulfillment Email in a real browser', () => {
  it.each(cases)('%s: nothing overflows', async (_label, { name, doc }, width) => {
    const { html } = renderer.render(doc, doc.order.contacts[0]!);
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    try {
      await page.setContent(html, { waitUntil: 'load' });
      const overflow = await page.evaluate(() => {
        const vw = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > vw + 1 && el.getBoundingClientRect().width > 0)
          .map((el) => `${el.tagName}.${el.className}: ${(el.textContent ?? '').slice(0, 40)}`);
        return { scrollWidth: document.documentElement.scrollWidth, vw, wide: wide.slice(0, 5) };
      });
      await page.screenshot({ path: `${ARTIFACTS}email-${name}-${width}.png`, fullPage: true });
      expect(overflow.wide).toEqual([]);
      expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.vw);
    } finally {
      await page.close();
    }
  });
});
