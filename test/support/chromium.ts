import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's headless chromium, as the email and page tests drive it: nothing of it reaches the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** How wide the page is against its viewport, and the first elements that reach beyond its right edge. */
export function horizontalOverflow(
  page: Page,
): Promise<{ innerWidth: number; scrollWidth: number; outside: string[] }> {
  return page.evaluate(() => {
    const vw = window.innerWidth;
    const outside = [...document.querySelectorAll('body *')]
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0 && r.right > vw + 0.5)
      .map(
        ({ el, r }) =>
          `${el.tagName.toLowerCase()} right=${r.right.toFixed(1)}: ${(el.textContent ?? '').trim().slice(0, 40)}`,
      );
    return { innerWidth: vw, scrollWidth: document.documentElement.scrollWidth, outside: outside.slice(0, 8) };
  });
}
