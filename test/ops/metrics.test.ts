import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/server.ts';
import { apiBackend } from '../../src/app/api.ts';
import { opsPlugins } from '../../src/ops/plugins.ts';
import { makeEvent } from '../support/events.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

let sink: SmtpSink;
let pipeline: TestPipeline;
const REFUSED = 'user1@metrics-run.example';

beforeAll(async () => {
  sink = await startSmtpSink();
  sink.onRecipient = ({ recipient }) =>
    recipient === REFUSED ? { code: 550, message: '5.1.1 no such user' } : undefined;
  pipeline = await startPipeline({ SMTP_URL: sink.url });
  expect((await pipeline.post('/v1/fulfillments', makeEvent('metrics-run', 2))).statusCode).toBe(202);
  await pipeline.idle();
}, 60_000);
afterAll(async () => {
  await pipeline?.close();
  await sink?.close();
});

/** The value of one sample line, e.g. `license_courier_events_total{outcome="accepted"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('needs no token and speaks the Prometheus text format', async () => {
    const res = await pipeline.api.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toMatch(/^# HELP license_courier_events_total /m);
    expect(res.body).toMatch(/^# TYPE license_courier_send_seconds histogram$/m);
  });

  it('counts the intake, the sent and the refused message, render times, and shows every queue in every state', async () => {
    const text = (await pipeline.api.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(text, 'license_courier_events_total{outcome="accepted"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'license_courier_messages_total{outcome="sent",class="none"}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^license_courier_messages_total\{outcome="failed",class="[a-z-]+"\} [1-9]/m);
    expect(sample(text, 'license_courier_render_seconds_count{document="email"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'license_courier_render_seconds_count{document="certificate"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'license_courier_send_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'license_courier_bounces_total')).toBe(0);
    for (const queue of ['fulfillment', 'send', 'activation']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed']) {
        expect(
          sample(text, `license_courier_queue_jobs{queue="${queue}",state="${state}"}`),
          `${queue} ${state}`,
        ).toBeGreaterThanOrEqual(0);
      }
    }
    expect(sample(text, 'license_courier_queue_jobs{queue="fulfillment",state="completed"}')).toBe(1);
    const send = ['completed', 'failed'].map((state) =>
      sample(text, `license_courier_queue_jobs{queue="send",state="${state}"}`)!,
    );
    expect(send[0]! + send[1]!).toBe(2);
  });

  it('reads queue depths from Redis at scrape time, through whichever API answers', async () => {
    await pipeline.ctx.queues.fulfillment.add('probe', { fulfillmentId: 'metrics-probe' } as never, {
      delay: 3_600_000,
      jobId: 'metrics-probe',
    });
    const api = await buildApi(apiBackend(pipeline.ctx), opsPlugins(Object.values(pipeline.ctx.queues)));
    try {
      const text = (await api.inject({ method: 'GET', url: '/metrics' })).body;
      expect(sample(text, 'license_courier_queue_jobs{queue="fulfillment",state="delayed"}')).toBe(1);
    } finally {
      await api.close();
      await pipeline.ctx.queues.fulfillment.remove('metrics-probe');
    }
    // The API that is still open keeps answering with its queues.
    const text = (await pipeline.api.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(text, 'license_courier_queue_jobs{queue="fulfillment",state="completed"}')).toBe(1);
  });
});
