import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookEndpoints } from '../../src/store/webhook-endpoints.ts';
import { TEST_TOKENS } from '../support/app.ts';
import { FormClient, csrfToken } from '../support/console-client.ts';
import { DELIVERED_ORDER, startWithDeliveredOrder } from '../support/delivered-order.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';

const ORDER = DELIVERED_ORDER;
let pipeline: TestPipeline;
let sink: SmtpSink;

beforeAll(async () => {
  ({ pipeline, sink } = await startWithDeliveredOrder());
});
afterAll(async () => {
  await pipeline?.close();
  await sink?.close();
});

const client = () => new FormClient(pipeline.api);

/** A webhook endpoint that was disabled after failing (for an event type this file never causes). */
async function disabledEndpoint(url: string): Promise<string> {
  const endpoints = new WebhookEndpoints(pipeline.ctx.db);
  const { id } = await endpoints.create(
    { url, eventTypes: ['activation.issued'], secret: 'whsec_c2VjdXJpdHktdGVzdA==', createdBy: 'test' },
    new Date(),
  );
  await pipeline.ctx.db.transaction((tx) => endpoints.disable(tx, id, new Date(), 'no successful delivery since then'));
  return id;
}

const endpointDisabled = async (id: string) =>
  (await pipeline.get('/v1/webhooks', TEST_TOKENS.admin)).json().endpoints.find((e: { id: string }) => e.id === id)
    .disabledAt !== null;
const sessionCookie = (c: FormClient) => c.cookies.get('lc_session');
const setCookies = (response: { headers: Record<string, unknown> }) =>
  [response.headers['set-cookie'] ?? []].flat().map(String);

describe('console sign-in and sessions', () => {
  it('signs in with a support token on a form; the cookie holds a random session id, never the token', async () => {
    const c = client();
    const signIn = await c.signIn(TEST_TOKENS.support);
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers.location).toBe('/console/');
    const cookie = setCookies(signIn).find((h) => h.startsWith('lc_session='))!;
    expect(cookie).toMatch(/^lc_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(setCookies(signIn).join('\n')).not.toContain(TEST_TOKENS.support);
    const home = await c.get('/console/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Signed in as support-token-2 (support)');
    const other = client();
    await other.signIn(TEST_TOKENS.support);
    expect(sessionCookie(other)).not.toBe(sessionCookie(c));
  });

  it('refuses intake tokens and wrong tokens with the sign-in page and no session', async () => {
    for (const token of [TEST_TOKENS.intake, 'not-a-token-at-all-0000', '', TEST_TOKENS.support.slice(0, -1)]) {
      const c = client();
      const res = await c.signIn(token);
      expect(res.statusCode, token).toBe(401);
      expect(res.body).toContain('That is not a support or admin token.');
      expect(sessionCookie(c)).toBeUndefined();
      expect((await c.get('/console/')).statusCode).toBe(303);
    }
  });

  it('limits sign-in attempts per client: the 31st within 15 minutes is refused, even with a good token', async () => {
    const from = (address: string) => new FormClient(pipeline.api, {}, address);
    const guesser = from('198.51.100.9');
    const html = (await guesser.get('/console/sign-in')).body;
    const token = csrfToken(html, '/console/sign-in');
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        guesser.post('/console/sign-in', { _csrf: token, token: `guess-${i}-000000000000` }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(30).fill(401));
    const refused = await guesser.post('/console/sign-in', { _csrf: token, token: TEST_TOKENS.support });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('Too many requests.');
    expect(guesser.cookies.get('lc_session')).toBeUndefined();
    expect((await from('198.51.100.10').signIn(TEST_TOKENS.support)).statusCode).toBe(303);
  });

  it('sends a browser without a session to the sign-in page, and back where it was going afterwards', async () => {
    const c = client();
    const page = await c.get(`/console/orders/${ORDER}`);
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/console/sign-in?needed=1&next=%2Fconsole%2Forders%2F${ORDER}`);
    const html = (await c.get(String(page.headers.location))).body;
    const signIn = await c.post('/console/sign-in', {
      _csrf: csrfToken(html, '/console/sign-in'),
      token: TEST_TOKENS.support,
      next: `/console/orders/${ORDER}`,
    });
    expect(signIn.headers.location).toBe(`/console/orders/${ORDER}`);
    for (const next of [
      'https://evil.example/',
      '//evil.example/x',
      '/v1/audit',
      '/console/../v1/audit',
      'javascript:alert(1)',
    ]) {
      const d = client();
      const h = (await d.get('/console/sign-in')).body;
      const res = await d.post('/console/sign-in', {
        _csrf: csrfToken(h, '/console/sign-in'),
        token: TEST_TOKENS.support,
        next,
      });
      expect(res.headers.location, next).toBe('/console/');
    }
  });

  it('never adopts a session id the browser brings: fixation is impossible', async () => {
    // An id in the right format that the server never issued.
    const planted = client();
    planted.cookies.set('lc_session', 'A'.repeat(43));
    expect((await planted.get('/console/')).statusCode).toBe(303);
    await planted.signIn(TEST_TOKENS.admin);
    expect(sessionCookie(planted)).not.toBe('A'.repeat(43));
    const replay = client();
    replay.cookies.set('lc_session', 'A'.repeat(43));
    expect((await replay.get('/console/')).statusCode).toBe(303);

    // An attacker's own valid session planted in a victim's browser: the victim's sign-in ends it and issues a new id.
    const attacker = client();
    await attacker.signIn(TEST_TOKENS.support);
    const attackerId = sessionCookie(attacker)!;
    const victim = client();
    victim.cookies.set('lc_session', attackerId);
    victim.cookies.set('_csrf', attacker.cookies.get('_csrf')!);
    await victim.signIn(TEST_TOKENS.admin);
    expect(sessionCookie(victim)).not.toBe(attackerId);
    expect((await victim.get('/console/audit')).statusCode).toBe(200);
    expect((await attacker.get('/console/audit')).statusCode).toBe(303);
    expect((await attacker.get('/console/')).statusCode).toBe(303);
  });

  it('lets a support session reach no admin page: audit log and queue dashboard', async () => {
    const support = client();
    await support.signIn(TEST_TOKENS.support);
    expect((await support.get('/console/audit')).statusCode).toBe(403);
    expect((await support.get('/console/audit')).body).toContain('Your role may not do this.');
    for (const url of ['/admin/queues', '/admin/queues/api/queues', '/%61dmin/queues/api/queues']) {
      expect((await support.get(url)).statusCode, url).toBe(403);
    }
    expect((await support.get(`/console/orders/${ORDER}`)).statusCode).toBe(200);
    const admin = client();
    await admin.signIn(TEST_TOKENS.admin);
    expect((await admin.get('/console/audit')).statusCode).toBe(200);
    expect((await admin.get('/admin/queues')).statusCode).toBe(200);
    expect(
      (await admin.get('/admin/queues/api/queues'))
        .json()
        .queues.map((q: { name: string }) => q.name)
        .sort(),
    ).toEqual(['activation', 'fulfillment', 'notice-sweep', 'send']);
  });

  it('lets a support session neither see nor use the webhooks page', async () => {
    const id = await disabledEndpoint('https://hooks.vendor.example/support-cannot');
    const support = client();
    await support.signIn(TEST_TOKENS.support);
    const home = await support.get('/console/');
    expect(home.body).not.toContain('/console/webhooks');
    const page = await support.get('/console/webhooks');
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('Your role may not do this.');
    expect(page.body).not.toContain('hooks.vendor.example');
    const token = csrfToken(home.body, '/console/sign-out');
    const enable = await support.post(`/console/webhooks/${id}/enable`, { _csrf: token });
    expect(enable.statusCode).toBe(403);
    expect(enable.body).toContain('Your role may not do this.');
    expect(await endpointDisabled(id)).toBe(true);
    const admin = client();
    await admin.signIn(TEST_TOKENS.admin);
    expect((await admin.get('/console/')).body).toContain('href="/console/webhooks"');
    expect((await admin.get('/console/webhooks')).body).toContain('https://hooks.vendor.example/support-cannot');
  });

  it('a session does not stand in for a bearer token on the JSON API', async () => {
    const admin = client();
    await admin.signIn(TEST_TOKENS.admin);
    expect((await admin.get('/v1/audit')).statusCode).toBe(401);
    expect((await admin.get(`/v1/orders/${ORDER}`)).statusCode).toBe(401);
  });

  it('sign-out ends the session on the server: the old cookie opens neither the console nor the dashboard', async () => {
    const admin = client();
    await admin.signIn(TEST_TOKENS.admin);
    const id = sessionCookie(admin)!;
    expect((await admin.get('/admin/queues/api/queues')).statusCode).toBe(200);
    const out = await admin.submit('/console/', '/console/sign-out', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/console/sign-in?signedOut=1');
    expect(sessionCookie(admin)).toBeUndefined();
    const replay = client();
    replay.cookies.set('lc_session', id);
    expect((await replay.get('/console/')).statusCode).toBe(303);
    expect((await replay.get('/admin/queues/api/queues')).statusCode).toBe(401);
    expect((await replay.get('/admin/queues', { accept: 'text/html' })).headers.location).toBe(
      '/console/sign-in?next=%2Fadmin%2Fqueues',
    );
  });

  it('the old /admin/login and /admin/logout lead to the console sign-in and sign-out', async () => {
    const c = client();
    expect((await c.get('/admin/login')).headers.location).toBe('/console/sign-in?next=%2Fadmin%2Fqueues');
    expect((await c.get('/admin/logout')).headers.location).toBe('/console/sign-out');
    expect((await c.post('/admin/login', { token: TEST_TOKENS.admin })).statusCode).toBe(404);
  });
});

describe('CSRF', () => {
  it('refuses every form without its token, and does nothing', async () => {
    const c = client();
    await c.get('/console/sign-in');
    expect((await c.post('/console/sign-in', { token: TEST_TOKENS.admin })).statusCode).toBe(403);
    expect(sessionCookie(c)).toBeUndefined();
    await c.signIn(TEST_TOKENS.admin);
    const before = (await pipeline.get(`/v1/orders/${ORDER}`)).json().fulfillments[0].deliveries.length;
    const refused = [
      await c.post(`/console/orders/${ORDER}/resend`, { lines: '1.1', to: 'netops@acme.example', reason: 'csrf test' }),
      await c.post(`/console/orders/${ORDER}/resend`, {
        _csrf: 'forged-token',
        lines: '1.1',
        to: 'netops@acme.example',
        reason: 'csrf test',
      }),
      await c.post('/console/sign-out', {}),
      await c.post('/self-service/resend', { reference: ORDER, email: 'netops@acme.example' }),
    ];
    for (const r of refused) {
      expect(r.statusCode).toBe(403);
      expect(r.body).toContain('This form has expired.');
    }
    expect((await c.get('/console/')).statusCode).toBe(200);
    expect((await pipeline.get(`/v1/orders/${ORDER}`)).json().fulfillments[0].deliveries.length).toBe(before);
  });

  it("refuses to enable a webhook endpoint without the form's token, and does it with the token", async () => {
    const id = await disabledEndpoint('https://hooks.vendor.example/csrf');
    const admin = client();
    await admin.signIn(TEST_TOKENS.admin);
    for (const form of [{}, { _csrf: 'forged-token' }] as Array<Record<string, string>>) {
      const refused = await admin.post(`/console/webhooks/${id}/enable`, form);
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('This form has expired.');
    }
    expect(await endpointDisabled(id)).toBe(true);
    const done = await admin.submit('/console/webhooks', `/console/webhooks/${id}/enable`, {});
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/console/webhooks?enabled=${id}#${id}`);
    expect(await endpointDisabled(id)).toBe(false);
    expect((await admin.get(String(done.headers.location))).body).toContain(
      'https://hooks.vendor.example/csrf is enabled again.',
    );
  });

  it('refuses a token made for another session, and one made before sign-in', async () => {
    const a = client();
    await a.signIn(TEST_TOKENS.support);
    const b = client();
    const beforeSignIn = csrfToken((await b.get('/console/sign-in')).body, '/console/sign-in');
    await b.signIn(TEST_TOKENS.support);
    const tokenOfA = csrfToken((await a.get('/console/')).body, '/console/sign-out');
    // b sends a's token with a's CSRF cookie: the token is bound to a's session, not b's.
    b.cookies.set('_csrf', a.cookies.get('_csrf')!);
    expect((await b.post('/console/sign-out', { _csrf: tokenOfA })).statusCode).toBe(403);
    expect((await b.post('/console/sign-out', { _csrf: beforeSignIn })).statusCode).toBe(403);
    expect((await b.get('/console/')).statusCode).toBe(200);
  });
});

describe('security headers', () => {
  it('sends a strict Content-Security-Policy and friends on every page, and leaves the JSON API alone', async () => {
    for (const url of ['/console/sign-in', '/self-service/']) {
      const res = await client().get(url);
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'none';style-src 'self';img-src 'self';form-action 'self';frame-ancestors 'none';base-uri 'none'",
      );
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
    expect((await pipeline.get(`/v1/orders/${ORDER}`)).headers['content-security-policy']).toBeUndefined();
  });
});

describe('cookies over HTTPS', () => {
  it('marks cookies Secure only when the request came over HTTPS: X-Forwarded-Proto counts only from a trusted proxy', async () => {
    const untrusted = await new FormClient(pipeline.api, {}, '127.0.0.1').get('/console/sign-in', {
      'x-forwarded-proto': 'https',
    });
    expect(setCookies(untrusted).join('\n')).not.toContain('Secure');
    const behindProxy = await startPipeline(
      { TRUST_PROXY: '127.0.0.1', SESSION_IDLE_SECONDS: '1' },
      { workers: false },
    );
    try {
      const c = new FormClient(behindProxy.api, { 'x-forwarded-proto': 'https' }, '127.0.0.1');
      const page = await c.get('/console/sign-in');
      expect(setCookies(page)[0]).toMatch(/^_csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
      const signIn = await c.signIn(TEST_TOKENS.support);
      expect(setCookies(signIn)[0]).toMatch(
        /^lc_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
      );
      const plain = new FormClient(behindProxy.api, { 'x-forwarded-proto': 'http' }, '127.0.0.1');
      expect(setCookies(await plain.signIn(TEST_TOKENS.support)).join('\n')).not.toContain('Secure');
      // Idle expiry: a second without a request ends the session.
      expect((await c.get('/console/')).statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 2100));
      expect((await c.get('/console/')).statusCode).toBe(303);
    } finally {
      await behindProxy.close();
    }
  });
});
