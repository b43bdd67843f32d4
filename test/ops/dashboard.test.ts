import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKENS } from '../support/app.ts';
import { FormClient } from '../support/console-client.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';

let pipeline: TestPipeline;

beforeAll(async () => {
  pipeline = await startPipeline({}, { workers: false });
});
afterAll(async () => {
  await pipeline?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => pipeline.api.inject({ method: 'GET', url, headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** An admin signed in to the console: its session cookie opens the dashboard too. */
async function signIn(): Promise<string> {
  const browser = new FormClient(pipeline.api);
  expect((await browser.signIn(TEST_TOKENS.admin)).statusCode).toBe(303);
  return `lc_session=${browser.cookies.get('lc_session')}`;
}

describe('queue dashboard', () => {
  it('answers 401 without a token, 403 to support, and lists every queue to an admin', async () => {
    expect((await get('/admin/queues')).statusCode).toBe(401);
    expect((await get('/admin/queues', bearer(TEST_TOKENS.support))).statusCode).toBe(403);
    expect((await get('/admin/queues', bearer(TEST_TOKENS.intake))).statusCode).toBe(403);
    const page = await get('/admin/queues', bearer(TEST_TOKENS.admin));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<base href="/admin/queues/"');
    const api = await get('/admin/queues/api/queues', bearer(TEST_TOKENS.admin));
    expect(
      api
        .json()
        .queues.map((q: { name: string }) => q.name)
        .sort(),
    ).toEqual(['activation', 'fulfillment', 'notice-sweep', 'send']);
  });

  it('guards its static assets too; a signed-in browser loads them with the cookie alone', async () => {
    const page = await get('/admin/queues', bearer(TEST_TOKENS.admin));
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    expect((await get(`/admin/queues/${script}`)).statusCode).toBe(401);
    const asset = await get(`/admin/queues/${script}`, { cookie: await signIn() });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
  });

  it('cannot be reached by spelling the path differently', async () => {
    for (const url of [
      '/%61dmin/queues',
      '/%61dmin/queues/api/queues',
      '/admin/login/../queues/api/queues',
      '/admin/%71ueues/api/queues',
    ]) {
      expect((await get(url)).statusCode, url).toBe(401);
      expect((await get(url, bearer(TEST_TOKENS.support))).statusCode, url).toBe(403);
    }
  });

  it('lets no job action through without admin: retry, clean, pause are refused', async () => {
    const actions = [
      '/admin/queues/api/queues/send/retry/failed',
      '/admin/queues/api/queues/send/clean/completed',
      '/admin/queues/api/queues/send/pause',
      '/%61dmin/queues/api/queues/send/pause',
    ];
    for (const url of actions) {
      expect((await pipeline.api.inject({ method: 'PUT', url })).statusCode, url).toBe(401);
      expect(
        (await pipeline.api.inject({ method: 'PUT', url, headers: bearer(TEST_TOKENS.support) })).statusCode,
        url,
      ).toBe(403);
    }
    expect(await pipeline.ctx.queues.send.isPaused()).toBe(false);
  });
});
