import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { FormClient } from '../support/console-client.ts';
import { TEST_TOKENS } from '../support/app.ts';
import { rawExample } from '../support/events.ts';

let pipeline: TestPipeline;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  pipeline = await startPipeline({ SMTP_URL: sink.url });
  await pipeline.post('/v1/fulfillments', rawExample('order-ex-srx'));
  await pipeline.post('/v1/fulfillments', { eventId: 'bad' });
  await sink.waitFor(2);
  await pipeline.idle();
});
afterAll(async () => {
  await pipeline.close();
  await sink.close();
});

describe('operations', () => {
  it('exposes Prometheus metrics: intake, messages, render times, queue depths', async () => {
    const res = await pipeline.api.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toMatch(/license_courier_events_total\{outcome="accepted"\} [1-9]/);
    expect(text).toMatch(/license_courier_events_total\{outcome="rejected"\} [1-9]/);
    expect(text).toMatch(/license_courier_messages_total\{outcome="sent",class="none"\} [2-9]/);
    expect(text).toMatch(/license_courier_render_seconds_count\{document="certificate"\} [1-9]/);
    expect(text).toMatch(/license_courier_render_seconds_count\{document="email"\} [2-9]/);
    expect(text).toMatch(/license_courier_send_seconds_bucket/);
    expect(text).toMatch(/license_courier_queue_jobs\{queue="send",state="completed"\} 2/);
  });

  it('is ready when Redis and the mail transport answer, and says why not when SMTP is down', async () => {
    expect((await pipeline.api.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    const down = await startPipeline({ SMTP_URL: 'smtp://127.0.0.1:1' }, { workers: false });
    try {
      const res = await down.api.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json().problems).toEqual([expect.stringMatching(/^smtp: /)]);
    } finally {
      await down.close();
    }
  });

  it('serves the queue dashboard to admins only; a browser signs in once and gets an HttpOnly cookie', async () => {
    const get = (url: string, headers: Record<string, string> = {}) =>
      pipeline.api.inject({ method: 'GET', url, headers });
    expect((await get('/admin/queues')).statusCode).toBe(401);
    expect((await get('/admin/queues', { authorization: `Bearer ${TEST_TOKENS.support}` })).statusCode).toBe(403);
    const page = await get('/admin/queues', { authorization: `Bearer ${TEST_TOKENS.admin}` });
    expect(page.statusCode).toBe(200);
    const queues = await get('/admin/queues/api/queues', { authorization: `Bearer ${TEST_TOKENS.admin}` });
    expect(
      queues
        .json()
        .queues.map((q: { name: string }) => q.name)
        .sort(),
    ).toEqual(['activation', 'fulfillment', 'notice-sweep', 'send']);

    // A browser signs in on the console's form; its session opens the dashboard for admins only.
    const support = new FormClient(pipeline.api);
    expect((await support.signIn(TEST_TOKENS.support)).statusCode).toBe(303);
    expect((await support.get('/admin/queues/api/queues')).statusCode).toBe(403);
    const admin = new FormClient(pipeline.api);
    const login = await admin.signIn(TEST_TOKENS.admin);
    expect(login.statusCode).toBe(303);
    expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await admin.get('/admin/queues/api/queues')).statusCode).toBe(200);
    // The session opens the dashboard, not the support API.
    expect((await admin.get('/v1/audit')).statusCode).toBe(401);
  });
});
