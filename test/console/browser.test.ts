import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepNow } from '../../src/app/notices.ts';
import { WebhookEndpoints } from '../../src/store/webhook-endpoints.ts';
import { TEST_TOKENS } from '../support/app.ts';
import { DELIVERED_ORDER, startWithDeliveredOrder } from '../support/delivered-order.ts';
import type { TestPipeline } from '../support/pipeline.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const ORDER = DELIVERED_ORDER;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// The 90-day renewal reminder of the order's 3-year subscription (paid term ends 2029-11-28).
const REMINDER_DAY = '2029-08-30';
let pipeline: TestPipeline;
let sink: SmtpSink;
let browser: Browser;
let base: string;
/** Two receivers in maintenance: their endpoints get disabled; the tests re-enable only the second. */
const hooks = { warehouse: new WebhookReceiver(), erp: new WebhookReceiver() };
const endpointIds: Record<keyof typeof hooks, string> = { warehouse: '', erp: '' };

/** Endpoints for notice.sent, already failing for two hours: the first failed delivery disables them. */
async function failingEndpoints(): Promise<void> {
  const endpoints = new WebhookEndpoints(pipeline.ctx.db);
  for (const [name, receiver] of Object.entries(hooks) as Array<[keyof typeof hooks, WebhookReceiver]>) {
    await receiver.start();
    receiver.answer = () => ({ status: 503, body: `maintenance window of the ${name} until 06:00 UTC` });
    const res = await pipeline.post(
      '/v1/webhooks',
      { url: receiver.url, eventTypes: ['notice.sent'], description: `${name} receipts` },
      TEST_TOKENS.admin,
    );
    expect(res.statusCode).toBe(201);
    ({ id: endpointIds[name], secret: receiver.secret } = res.json());
    const since = new Date(Date.now() - 2 * 3_600_000);
    await pipeline.ctx.db.transaction((tx) => endpoints.recordFailure(tx, endpointIds[name], since));
  }
}

/** The endpoint as GET /v1/webhooks lists it. */
async function endpoint(name: keyof typeof hooks): Promise<{ disabledAt: string | null; failingSince: string | null }> {
  const res = await pipeline.get('/v1/webhooks', TEST_TOKENS.admin);
  return res.json().endpoints.find((e: { id: string }) => e.id === endpointIds[name]);
}

beforeAll(async () => {
  ({ pipeline, sink } = await startWithDeliveredOrder({
    RESENDS_PER_ORDER_PER_HOUR: '100',
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    WEBHOOK_BACKOFF_MS: '50',
    WEBHOOK_BACKOFF_MAX_MS: '100',
    WEBHOOK_DISABLE_AFTER_HOURS: '1',
    WEBHOOK_RELAY_INTERVAL_MS: '50',
  }));
  await failingEndpoints();
  // The order's first subscription notice goes to both contacts; each sent notice is a webhook event that fails.
  await sweepNow(pipeline.ctx, REMINDER_DAY, { dryRun: false });
  await sink.waitFor(4);
  await pipeline.idle();
  for (const name of Object.keys(hooks) as Array<keyof typeof hooks>) {
    for (let tries = 0; !(await endpoint(name)).disabledAt; tries++) {
      if (tries > 600) throw new Error(`endpoint ${name} was not disabled`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  base = await pipeline.api.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await pipeline?.close();
  await sink?.close();
  for (const receiver of Object.values(hooks)) await receiver.stop();
});

async function newPage(
  options: { width?: number; locale?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1024, height: 800 },
    locale: options.locale ?? 'en-US',
    acceptDownloads: true,
  });
  return { context, page: await context.newPage() };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${base}/console/`);
  await page.getByLabel('Support or admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/console/`);
}

/** A support session on the order's page. */
async function openOrder(): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await newPage();
  await signIn(opened.page, TEST_TOKENS.support);
  await opened.page.goto(`${base}/console/orders/${ORDER}`);
  return opened;
}

/**
 * axe-core's serious and critical findings on the page as it stands (evaluated over DevTools, which CSP does not
 * govern).
 */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const results = await page.evaluate(async () =>
    (
      window as unknown as {
        axe: {
          run(): Promise<{
            passes: unknown[];
            violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
          }>;
        };
      }
    ).axe.run(),
  );
  expect(results.passes.length).toBeGreaterThan(0);
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('support console in a browser', () => {
  it('signs in, finds the order by number, SSRN, Activation Code and contact address, and shows entitlements, deliveries and keys', async () => {
    const { context, page } = await newPage();
    await signIn(page, TEST_TOKENS.support);
    for (const term of [ORDER, 'SSRN8B3N5V2C7D', 'hTq4Xe-P9dLm-Zw2RbK', 'Netops@Acme.example']) {
      await page.goto(`${base}/console/`);
      await page.getByLabel('Order number, account ID, contact address, Activation Code or SSRN').fill(term);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${base}/console/orders/${ORDER}`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Sales order ${ORDER}`);
    }
    const text = await page.locator('main').innerText();
    for (const expected of [
      'SSRN4K7Q2M9X1A',
      'hTq4Xe-P9dLm-Zw2RbK',
      'Acme Networks Ltd',
      'netops@acme.example',
      'licensing@northwind.example',
      'first delivery',
      'sent',
      'perpetual',
    ]) {
      expect(text).toContain(expected);
    }
    await page.goto(`${base}/console/search?q=NOTHING-HERE`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Nothing found for “NOTHING-HERE”.');
    await context.close();
  });

  it('finds an account by its ID and lists its entitlements, filtered by status and product', async () => {
    const { context, page } = await newPage();
    await signIn(page, TEST_TOKENS.support);
    await page.getByLabel('Order number, account ID, contact address, Activation Code or SSRN').fill('0100067890');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/console/accounts/0100067890`);
    const rows = () => page.locator('main tbody tr').allInnerTexts();
    expect((await rows()).map((r) => r.match(/SSRN\w+/)?.[0])).toEqual(['SSRN4K7Q2M9X1A', 'SSRN8B3N5V2C7D']);
    await page.getByLabel('Product').selectOption('srx');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/product=srx/);
    expect((await rows()).map((r) => r.match(/SSRN\w+/)?.[0])).toEqual(['SSRN8B3N5V2C7D']);
    await page.getByLabel('Product').selectOption('');
    await page.getByLabel('Status').selectOption('expired');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=expired/);
    await expect(page.locator('main').innerText()).resolves.toContain('No entitlements match.');
    await page.goto(`${base}/console/accounts/0100067890?status=active`);
    const active = await rows();
    expect(active).toHaveLength(2);
    expect(active[0]).toContain(ORDER);
    expect(active[0]).toMatch(/sent/);
    await context.close();
  });

  it('resends chosen lines to a chosen address with a reason; the new delivery reaches the SMTP server and shows on the page', async () => {
    const { context, page } = await openOrder();
    const before = sink.messages.length;
    await page.getByLabel(/^2\.1 · /).uncheck();
    await page.getByLabel('licensing@northwind.example').uncheck();
    await page.getByLabel('Reason (required)').fill('customer lost the email');
    await page.getByRole('button', { name: 'Resend' }).click();
    await page.waitForURL(/resent=1/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('1 new deliveries queued');
    const [message] = (await sink.waitFor(before + 1)).slice(before);
    expect(message!.to).toEqual(['netops@acme.example']);
    expect(message!.parsed.text).toContain('SSRN4K7Q2M9X1A');
    expect(message!.parsed.text).not.toContain('SSRN8B3N5V2C7D');
    await pipeline.idle();
    await page.reload();
    const text = await page.locator('main').innerText();
    expect(text).toContain('resend');
    expect(text).toContain('customer lost the email');
    await context.close();
  });

  it('resends once when the same form is sent twice (a double click), and says so', async () => {
    const { context, page } = await openOrder();
    const before = sink.messages.length;
    await page.getByLabel(/^2\.1 · /).uncheck();
    await page.getByLabel('licensing@northwind.example').uncheck();
    await page.getByLabel('Reason (required)').fill('sent twice by a double click');
    // The form as the browser would post it (its fields, the session cookie), twice at once: what a double click on a
    // slow connection sends. The page's policy allows no script to post it, so the browser context's client does.
    const form = page.locator('form[action$="/resend"]');
    const fields = await form.evaluate((f: HTMLFormElement) => [...new FormData(f)].map(([k, v]) => [k, String(v)]));
    const action = new URL((await form.getAttribute('action'))!, page.url()).href;
    const body = new URLSearchParams(fields as Array<[string, string]>).toString();
    const post = () =>
      context.request.post(action, { data: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const finalUrls = (await Promise.all([post(), post()])).map((answer) => answer.url());
    const outcomes = finalUrls.map((u) => [...new URL(u).searchParams.keys()][0]).sort();
    expect(outcomes).toEqual(['replayed', 'resent']);
    await sink.waitFor(before + 1);
    await pipeline.idle();
    expect(sink.messages.length).toBe(before + 1);
    await page.goto(finalUrls.find((u) => u.includes('replayed='))!);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain(
      'This resend was made already (1 deliveries, below); nothing was sent again.',
    );
    const text = await page.locator('main').innerText();
    expect(text.split('sent twice by a double click').length - 1).toBe(1);
    await context.close();
  });

  it('refuses a resend without a reason and keeps what was chosen', async () => {
    const { context, page } = await openOrder();
    const before = sink.messages.length;
    // The browser's own check stops an empty reason; a reason of spaces gets past it and is refused by the server.
    await page.getByLabel('Reason (required)').fill('   ');
    await page.getByRole('button', { name: 'Resend' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('reason');
    expect(await page.getByLabel('licensing@northwind.example').isChecked()).toBe(true);
    expect(sink.messages).toHaveLength(before);
    await context.close();
  });

  it('downloads the certificate: the same bytes as the one attached to the email', async () => {
    const { context, page } = await openOrder();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the certificate (PDF)' }).click(),
    ]);
    const bytes = readFileSync((await download.path())!);
    const attached = sink.messages[0]!.parsed.attachments.find((a) => a.contentType === 'application/pdf')!.content;
    expect(bytes.equals(attached)).toBe(true);
    expect(download.suggestedFilename()).toMatch(/^Software-Entitlement-Certificate-.+\.pdf$/);
    await context.close();
  });

  it('shows admins the audit log and the dashboard link; support gets neither', async () => {
    const { context, page } = await newPage();
    await signIn(page, TEST_TOKENS.support);
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    const refused = await page.goto(`${base}/console/audit`);
    expect(refused!.status()).toBe(403);
    await context.close();
    const admin = await newPage();
    await signIn(admin.page, TEST_TOKENS.admin);
    await admin.page.getByRole('link', { name: 'Audit log' }).click();
    await admin.page.waitForURL(`${base}/console/audit`);
    expect(await admin.page.locator('main').innerText()).toContain('intake-token-1');
    await admin.page.getByRole('link', { name: 'Queue dashboard' }).click();
    await admin.page.waitForURL(`${base}/admin/queues`);
    expect(await admin.page.title()).toContain('license-courier');
    await admin.context.close();
  });

  it("shows each recipient's notices sent with their status, and the notices still due", async () => {
    const { context, page } = await openOrder();
    const cells = async (name: string) =>
      (await page.getByRole('table', { name, exact: true }).locator('tbody tr').allInnerTexts()).map((row) =>
        row.split('\t').map((cell) => cell.trim()),
      );
    const sent = await cells('Sent');
    expect(sent.map((row) => row.slice(0, 5)).sort()).toEqual(
      ['licensing@northwind.example', 'netops@acme.example'].map((recipient) => [
        recipient,
        'Renewal reminder, 90 days ahead',
        REMINDER_DAY,
        'SSRN4K7Q2M9X1A',
        'sent',
      ]),
    );
    for (const row of sent) expect(row[5]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: 250 /);
    expect(await cells('Due')).toEqual([
      ['Renewal reminder, 30 days ahead', 'SSRN4K7Q2M9X1A', '2029-10-29'],
      ['Renewal reminder, 7 days ahead', 'SSRN4K7Q2M9X1A', '2029-11-21'],
      ['Grace period notice', 'SSRN4K7Q2M9X1A', '2029-11-28'],
      ['Expiry notice', 'SSRN4K7Q2M9X1A', '2029-12-28'],
    ]);
    // The same notices as the API's view of the order.
    const api = (await pipeline.get(`/v1/orders/${ORDER}`)).json().notices;
    expect(api.due.map((n: { date: string }) => n.date)).toEqual([
      '2029-10-29',
      '2029-11-21',
      '2029-11-28',
      '2029-12-28',
    ]);
    expect(api.sent.map((n: { status: string }) => n.status)).toEqual(['sent', 'sent']);
    await context.close();
  });

  it('shows admins the webhook endpoints with their failures, and re-enables a disabled one; support gets no link and a 403', async () => {
    const support = await newPage();
    await signIn(support.page, TEST_TOKENS.support);
    expect(await support.page.getByRole('link', { name: 'Webhooks' }).count()).toBe(0);
    expect((await support.page.goto(`${base}/console/webhooks`))!.status()).toBe(403);
    await support.context.close();

    const { context, page } = await newPage();
    await signIn(page, TEST_TOKENS.admin);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.waitForURL(`${base}/console/webhooks`);
    const section = (name: keyof typeof hooks) => page.getByRole('region', { name: hooks[name].url });
    for (const name of Object.keys(hooks) as Array<keyof typeof hooks>) {
      const text = await section(name).innerText();
      for (const expected of [
        endpointIds[name],
        'notice.sent',
        `${name} receipts`,
        'disabled since',
        'no successful delivery since',
      ])
        expect(text).toContain(expected);
      const failures = await section(name).getByRole('table').locator('tbody tr').allInnerTexts();
      expect(failures.length).toBeGreaterThan(0);
      expect(failures[0]).toContain(ORDER);
      expect(failures[0]).toContain('HTTP 503');
      expect(failures[0]).toContain(`maintenance window of the ${name} until 06:00 UTC`);
    }
    await section('erp').getByRole('button', { name: 'Re-enable' }).click();
    await page.waitForURL(/\/console\/webhooks\?enabled=/);
    await expect(page.getByRole('status').textContent()).resolves.toBe(`${hooks.erp.url} is enabled again.`);
    expect(await section('erp').innerText()).not.toContain('disabled since');
    expect(await section('erp').getByRole('button', { name: 'Re-enable' }).count()).toBe(0);
    expect(await section('warehouse').getByRole('button', { name: 'Re-enable' }).count()).toBe(1);
    expect(await endpoint('erp')).toMatchObject({ disabledAt: null, failingSince: null });
    expect((await endpoint('warehouse')).disabledAt).not.toBeNull();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(`${base}/console/audit`);
    const audit = await page.locator('main tbody tr').allInnerTexts();
    expect(audit.filter((row) => row.includes('webhook.endpoint.enable'))).toEqual([
      expect.stringContaining(endpointIds.erp),
    ]);
    await context.close();
  });

  it('signs out, and the same browser is refused afterwards', async () => {
    const { context, page } = await newPage();
    await signIn(page, TEST_TOKENS.admin);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/console/sign-in?signedOut=1`);
    await expect(page.getByRole('status').textContent()).resolves.toBe('You are signed out.');
    await page.goto(`${base}/console/orders/${ORDER}`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(await page.getByLabel('Support or admin token').isVisible()).toBe(true);
    const dashboard = await page.goto(`${base}/admin/queues`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(dashboard!.status()).toBe(200);
    await context.close();
  });

  it('works by keyboard alone: skip link first, then sign-in and search', async () => {
    const { context, page } = await newPage();
    await page.goto(`${base}/console/sign-in`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('token');
    await page.keyboard.type(TEST_TOKENS.support);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/console/`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    // The skip link moves focus to the main content; the search box is the next stop.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
    await page.keyboard.type(ORDER);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/console/orders/${ORDER}`);
    await context.close();
  });

  it('speaks German and Japanese to browsers that ask for them', async () => {
    for (const [locale, heading] of [
      ['de-DE', 'Anmelden'],
      ['ja-JP', 'サインイン'],
    ] as const) {
      const { context, page } = await newPage({ locale });
      await page.goto(`${base}/console/sign-in`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
      expect(await page.getAttribute('html', 'lang')).toBe(locale.slice(0, 2));
      await context.close();
    }
  });
});

describe('self-service page in a browser', () => {
  it('shows a contact and a stranger the same page; only the contact gets the email', async () => {
    const before = sink.messages.length;
    const seen: string[] = [];
    for (const email of ['licensing@northwind.example', 'stranger@northwind.example']) {
      const { context, page } = await newPage();
      await page.goto(`${base}/self-service/`);
      await page.getByLabel('Order number, SSRN or Activation Code').fill('SSRN4K7Q2M9X1A');
      await page.getByLabel('Your email address').fill(email);
      await page.getByRole('button', { name: 'Send it again' }).click();
      await page.waitForURL(`${base}/self-service/resend`);
      seen.push(await page.locator('main').innerText());
      await context.close();
    }
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).toContain('Thank you.');
    await sink.waitFor(before + 1);
    await pipeline.idle();
    expect(sink.messages.slice(before).map((m) => m.to)).toEqual([['licensing@northwind.example']]);
  });
});

describe('accessibility and small screens', () => {
  // Ids, not labels: the labels are in the language under test.
  const submit = (page: Page) =>
    Promise.all([page.waitForLoadState(), page.locator('main button[type="submit"]').last().click()]);
  const PAGES: Array<{ path: string; role?: 'support' | 'admin'; action?: (page: Page) => Promise<unknown> }> = [
    { path: '/self-service/' },
    {
      path: '/self-service/',
      action: async (page) => {
        await page.locator('#reference').fill('NOPE');
        await page.locator('#email').fill('someone@example.net');
        await Promise.all([
          page.waitForURL(`${base}/self-service/resend`),
          page.locator('main button[type="submit"]').click(),
        ]);
      },
    },
    { path: '/console/sign-in' },
    {
      path: '/console/sign-in',
      action: async (page) => {
        await page.locator('#token').fill('wrong-token-0000000000');
        await submit(page);
      },
    },
    { path: '/console/', role: 'support' },
    { path: '/console/search?q=NOTHING', role: 'support' },
    { path: `/console/orders/${ORDER}`, role: 'support' },
    {
      path: `/console/orders/${ORDER}`,
      role: 'support',
      action: async (page) => {
        await page.locator('#reason').fill(' ');
        await submit(page);
      },
    },
    { path: '/console/accounts/0100012345', role: 'support' },
    { path: '/console/audit', role: 'support' },
    { path: '/console/no-such-page', role: 'support' },
    { path: '/console/webhooks', role: 'support' },
    { path: '/console/audit', role: 'admin' },
    { path: '/console/webhooks', role: 'admin' },
    { path: '/console/sign-out', role: 'admin' },
  ];

  it('finds what it is meant to find: a field without its label is a critical finding', async () => {
    const { context, page } = await newPage();
    await page.goto(`${base}/self-service/`);
    await page.evaluate(() => document.querySelector('label[for="email"]')!.remove());
    expect(await accessibilityProblems(page)).toEqual(['label: #email']);
    await context.close();
  });

  for (const [width, locale] of [
    [320, 'en-US'],
    [320, 'de-DE'],
    [320, 'ja-JP'],
    [1024, 'en-US'],
  ] as const) {
    it(`has no serious or critical axe finding and no sideways scrolling on any page at ${width} px (${locale})`, async () => {
      const problems: string[] = [];
      const { context, page } = await newPage({ width, locale });
      let signedInAs: string | undefined;
      for (const { path, role, action } of PAGES) {
        if (role && role !== signedInAs) {
          await page.goto(`${base}/console/sign-in`);
          await page.locator('#token').fill(TEST_TOKENS[role]);
          await Promise.all([page.waitForURL(`${base}/console/`), page.locator('main button[type="submit"]').click()]);
          signedInAs = role;
        }
        await page.goto(`${base}${path}`);
        if (action) await action(page);
        const label = `${path}${role ? ` as ${role}` : ''}${action ? ' (after submitting)' : ''}`;
        for (const p of await accessibilityProblems(page)) problems.push(`${label}: ${p}`);
        const extra = await overflow(page);
        if (extra > 0) problems.push(`${label}: ${extra} px wider than the screen`);
      }
      await context.close();
      expect(problems).toEqual([]);
    }, 240_000);
  }
});
