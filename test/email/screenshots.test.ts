import { mkdirSync, statSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailRenderer, type EmailRenderer } from '../../src/email/render.ts';
import type { FulfillmentDocument } from '../../src/model.ts';
import { horizontalOverflow, launchChromium } from '../support/chromium.ts';
import { documentsFor, EXAMPLES, loadExample, longOrderDocument, sampleKey } from '../support/documents.ts';

// The email as recipients see it in Chromium: a 200-line order (Gmail clips a long HTML part and hides
// the rest, support address included), and every email in a client that drops the <style> blocks of <head>.

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const GMAIL_SAFE_BYTES = 100 * 1024;
const KEYS = {
  SSRN3H5J7K9L2M: [sampleKey('JN11D2E7CAFB', 'LCABCDEFGHIJ'), sampleKey('JN125ED29AFL', 'LCKLMNOPQRST')],
  SSRN7Z9A2B4C6D: [sampleKey('7f3c2a9e-1b4d-4c8e-9a61-2d5f8e0b7c13', 'LCUVWXYZ2345', '2026-11-28')],
};
// In the long order the sixth line is the heritage order's coherent-optics line: it carries keys too.
const LONG_KEYS = { SSRN3H5J7K9006: KEYS.SSRN3H5J7K9L2M };
const SUPPORT = { en: 'Questions? Quote the SSRN and write to', de: 'Fragen?', ja: 'お問い合わせ' } as const;

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

const htmlOf = (doc: FulfillmentDocument) => renderer.render(doc, doc.order.contacts[0]!).html;
const longOrders = (['en', 'de', 'ja'] as const).map((locale) => ({
  locale,
  doc: longOrderDocument(200, locale, LONG_KEYS),
}));

async function withPage<T>(html: string, width: number, fn: (page: Page) => Promise<T>): Promise<T> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  try {
    await page.setContent(html, { waitUntil: 'load' });
    return await fn(page);
  } finally {
    await page.close();
  }
}

async function expectNoOverflow(page: Page, width: number) {
  const overflow = await horizontalOverflow(page);
  expect(overflow.innerWidth).toBe(width);
  expect(overflow.scrollWidth).toBeLessThanOrEqual(width);
  expect(overflow.outside).toEqual([]);
}

describe('a 200-line order', () => {
  it.each(longOrders)(
    'in $locale: the HTML stays under 100 KB, listing every line; the text part has every detail',
    ({ doc }) => {
      const { html, text } = renderer.render(doc, doc.order.contacts[0]!);
      expect(Buffer.byteLength(html)).toBeLessThan(GMAIL_SAFE_BYTES);
      for (const { entitlement: e, product } of doc.lines) {
        for (const value of [e.activationCode, e.ssrn, e.sku]) expect(html, value).toContain(value);
        for (const value of [e.activationCode, e.ssrn, e.sku, e.description, product.instructionsUrl]) {
          expect(text, value).toContain(value);
        }
      }
      for (const k of LONG_KEYS.SSRN3H5J7K9006) {
        expect(html).toContain(k.key);
        expect(text).toContain(k.key);
      }
      expect(html).toContain(`href="mailto:${doc.brand.supportEmail}"`);
    },
  );

  it.each(longOrders.flatMap((c) => [320, 600].map((width) => ({ ...c, width }))))(
    'in $locale at $width px: no horizontal overflow, every code and SSRN shown, the support block at the end',
    async ({ locale, doc, width }) => {
      await withPage(htmlOf(doc), width, async (page) => {
        const path = `${ARTIFACTS}email-200-lines-${locale}-${width}.png`;
        await page.screenshot({ path, fullPage: true });
        expect(statSync(path).size).toBeGreaterThan(1000);
        await expectNoOverflow(page, width);
        const visible = await page.evaluate(() => document.body.innerText);
        for (const { entitlement: e } of doc.lines) {
          expect(visible).toContain(e.activationCode);
          expect(visible).toContain(e.ssrn);
        }
        const support = page.locator(`a[href="mailto:${doc.brand.supportEmail}"]`);
        expect(await support.isVisible()).toBe(true);
        expect(visible).toContain(SUPPORT[locale]);
        // After the last line, as the reader scrolls: not cut off with the rest of a clipped message.
        const lastCode = doc.lines.at(-1)!.entitlement.activationCode;
        expect(visible.lastIndexOf(doc.brand.supportEmail)).toBeGreaterThan(visible.lastIndexOf(lastCode));
      });
    },
  );
});

/** Every <style> element gone, as Gmail apps do for other providers' accounts: what stays is what is inline. */
const withoutStyleBlocks = (html: string) => html.replace(/<style\b[^>]*>[\s\S]*?<\/style>/gi, '');

interface Shown {
  value: string;
  /** Text nodes that hold exactly the value: where it is shown as a value, not quoted in a sentence. */
  alone: number;
  problems: string[];
}

/** For each value: where it stands alone, whether it is monospace and has its line (within its block) to itself. */
function valuesAsShown(page: Page, values: string[]): Promise<Shown[]> {
  return page.evaluate((values) => {
    const texts: Text[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent?.trim()) texts.push(n as Text);
    const rects = (node: Node, start?: number, end?: number) => {
      const range = document.createRange();
      if (start === undefined) range.selectNodeContents(node);
      else {
        range.setStart(node, start);
        range.setEnd(node, end!);
      }
      return [...range.getClientRects()].filter((r) => r.width > 0);
    };
    const overlaps = (a: DOMRect[], b: DOMRect[]) =>
      a.some((x) => b.some((y) => y.top < x.bottom - 1 && y.bottom > x.top + 1));
    const blockOf = (el: Element) => {
      let b: Element = el;
      while (getComputedStyle(b).display.startsWith('inline') && b.parentElement) b = b.parentElement;
      return b;
    };
    return values.map((value) => {
      const alone = texts.filter((t) => t.textContent!.trim() === value);
      const problems = alone.flatMap((t) => {
        const found: string[] = [];
        const font = getComputedStyle(t.parentElement!).fontFamily;
        if (!/monospace/i.test(font)) found.push(`not monospace: ${font}`);
        const block = blockOf(t.parentElement!);
        const others = texts.filter((o) => o !== t && block.contains(o)).flatMap((o) => rects(o));
        if (overlaps(rects(t), others)) found.push('shares its line');
        // A key's rows: each on a line of its own, never run together with the next.
        const rows = t.textContent!.split('\n');
        let at = 0;
        const rowRects = rows.map((row) => rects(t, at, (at += row.length + 1) - 1));
        for (let i = 1; i < rows.length; i++) {
          if (overlaps(rowRects[i - 1]!, rowRects[i]!)) found.push(`row ${i + 1} joins row ${i}`);
        }
        return found;
      });
      return { value, alone: alone.length, problems };
    });
  }, values);
}

const allExamples = [...EXAMPLES, 'order-cloud-security'].flatMap((name) =>
  documentsFor(loadExample(name), KEYS).map((doc) => ({ name: `${name} ${doc.fulfillment.shipDate}`, doc })),
);

describe('in a client that drops the <style> blocks of <head>', () => {
  it.each(
    [...allExamples, { name: '200 lines', doc: longOrders[0]!.doc }].flatMap((c) =>
      [320, 600].map((width) => ({ ...c, width })),
    ),
  )('$name at $width px: codes, SSRNs and keys stay monospace, each on its own line', async ({ doc, width }) => {
    const html = withoutStyleBlocks(htmlOf(doc));
    expect(html).not.toMatch(/<style/i);
    await withPage(html, width, async (page) => {
      await expectNoOverflow(page, width);
      const codes = doc.lines.flatMap(({ entitlement: e }) => [e.activationCode, e.ssrn]);
      const keys = doc.lines.flatMap((l) => l.keys.map((k) => k.key));
      for (const shown of await valuesAsShown(page, [...codes, ...keys])) {
        expect(shown.alone, `${shown.value} is shown on its own`).toBeGreaterThan(0);
        expect(shown.problems, shown.value).toEqual([]);
      }
    });
  });
});
