import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandler } from '../../src/api/errors.ts';
import { MAX_PARAM_LENGTH, unsubscribeRoutes } from '../../src/api/unsubscribe.ts';
import { addressOfToken, optOutByToken } from '../../src/notices/opt-out.ts';
import { unsubscribeToken } from '../../src/notices/unsubscribe-token.ts';
import { NoticeStore } from '../../src/store/notices.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { TEST_BRAND } from '../support/documents.ts';

let t: TestDatabase;
let store: NoticeStore;
let app: FastifyInstance;
let key: Buffer;

beforeAll(async () => {
  t = await createTestDatabase();
  store = new NoticeStore(t.db);
  key = await store.unsubscribeKey();
  const deps = { notices: store, clock: { now: () => new Date() } };
  app = Fastify({ maxParamLength: MAX_PARAM_LENGTH });
  installErrorHandler(app);
  await unsubscribeRoutes(
    app,
    { addressOf: (token) => addressOfToken(deps, token), optOut: (token) => optOutByToken(deps, token) },
    TEST_BRAND,
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

const pathFor = (email: string) => `/unsubscribe/${unsubscribeToken(key, email)}`;

describe('GET /unsubscribe/{token}', () => {
  it('shows a page with one button, and opts nobody out (mail scanners follow links)', async () => {
    const r = await app.inject({ method: 'GET', url: pathFor('gina@example.com') });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.body).toContain('<form method="post">');
    expect(r.body).toContain('Stop renewal reminders, grace and expiry notices to gina@example.com?');
    expect(await store.isOptedOut('gina@example.com')).toBe(false);
  });

  it('for the longest address there is (254 characters)', async () => {
    const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(53)}.example`;
    expect(longest).toHaveLength(254);
    const r = await app.inject({ method: 'GET', url: pathFor(longest) });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(longest);
  });

  it("in the browser's language", async () => {
    const r = await app.inject({
      method: 'GET',
      url: pathFor('gina@example.com'),
      headers: { 'accept-language': 'fr-CH, de;q=0.9, en;q=0.8' },
    });
    expect(r.body).toContain('<html lang="de">');
    expect(r.body).toContain('Erinnerungen abbestellen');
  });

  it('answers 400 for a token that is not ours', async () => {
    const forged = `${Buffer.from('gina@example.com').toString('base64url')}.${'A'.repeat(22)}`;
    for (const url of [
      `/unsubscribe/${forged}`,
      '/unsubscribe/nonsense',
      `/unsubscribe/${'x'.repeat(MAX_PARAM_LENGTH - 20)}.${'y'.repeat(19)}`,
    ]) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('This link is not valid');
      expect(r.body).toContain(TEST_BRAND.supportEmail);
    }
  });
});

describe('POST /unsubscribe/{token} (RFC 8058 one-click)', () => {
  it('opts the address out, as a mail client posts it: form-encoded, multipart, or with no body; again changes nothing', async () => {
    const cases = [
      {
        email: 'one@example.com',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      },
      {
        email: 'two@example.com',
        headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
        payload: '--xyz\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--xyz--\r\n',
      },
      { email: 'three@example.com', headers: {}, payload: undefined },
    ];
    for (const c of cases) {
      const r = await app.inject({
        method: 'POST',
        url: pathFor(c.email),
        headers: c.headers,
        ...(c.payload !== undefined && { payload: c.payload }),
      });
      expect(r.statusCode, c.email).toBe(200);
      expect(r.body).toContain(`${c.email} gets no more subscription reminders`);
      expect(await store.isOptedOut(c.email)).toBe(true);
    }
    const again = await app.inject({
      method: 'POST',
      url: pathFor('one@example.com'),
      headers: cases[0]!.headers,
      payload: cases[0]!.payload,
    });
    expect(again.statusCode).toBe(200);
  });

  it('refuses a forged token and a body over 4 KiB, opting nobody out', async () => {
    const forged = await app.inject({
      method: 'POST',
      url: `/unsubscribe/${Buffer.from('victim@example.com').toString('base64url')}.${'B'.repeat(22)}`,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.statusCode).toBe(400);
    const big = await app.inject({
      method: 'POST',
      url: pathFor('victim@example.com'),
      payload: 'x'.repeat(10_000),
      headers: { 'content-type': 'text/plain' },
    });
    expect(big.statusCode).toBe(413);
    expect(await store.isOptedOut('victim@example.com')).toBe(false);
  });
});

describe('in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(() => browser?.close());

  it('the button opts the address out, by keyboard too', async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
    const port = (app.server.address() as { port: number }).port;
    await page.goto(`http://127.0.0.1:${port}${pathFor('keys@example.com')}`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('text=keys@example.com gets no more subscription reminders');
    expect(await store.isOptedOut('keys@example.com')).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  });
});
