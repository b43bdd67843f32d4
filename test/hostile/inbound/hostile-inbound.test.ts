import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { handleActivationMessage, type ActivationDeps } from '../../../src/activation/handle-request.ts';
import { SenderThrottle } from '../../../src/store/redis-sender-throttle.ts';
import { startPipeline, type TestPipeline } from '../../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.ts';
import { rawExample } from '../../support/events.ts';
import { hostileInboundCorpus } from './corpus.ts';

/** What the mailbox watcher hands on: never more than this of a message. */
const CAP = 1024 * 1024;
const corpus = hostileInboundCorpus();
let pipeline: TestPipeline;
let sink: SmtpSink;
let deps: ActivationDeps;

beforeAll(async () => {
  sink = await startSmtpSink();
  pipeline = await startPipeline({ SMTP_URL: sink.url, ACTIVATION_ADDRESS: 'activate@example.net', MAIL_FROM: 'Licensing <licensing@courier.example>', ACTIVATION_FAILURES_PER_HOUR: '1000' }, { workers: false });
  expect((await pipeline.post('/v1/fulfillments', rawExample('order-heritage-de'))).statusCode).toBe(202);
  const { ctx } = pipeline;
  deps = {
    entitlements: ctx.entitlements, orders: ctx.orders, activations: ctx.activations, catalog: ctx.catalog, brand: ctx.config.brand, clock: ctx.clock, timeZone: 'UTC', audit: ctx.audit,
    transport: ctx.transport, mailFrom: ctx.config.MAIL_FROM, mailFromAddress: ctx.config.mailFromAddress,
    ownAddresses: ['licensing@courier.example', 'activate@example.net'], signingKey: generateKeyPairSync('ed25519').privateKey,
    throttle: new SenderThrottle(ctx.redis, ctx.keys.activationFailures, 1000),
  };
});
afterAll(async () => {
  await pipeline.close();
  await sink.close();
});

describe('hostile inbound activation mail', () => {
  it('has at least 100 messages', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
  });

  it.each(corpus.map((m, i) => [m.name, m, i] as const))('%s: handled, filed, no key', async (_name, m, i) => {
    const before = sink.messages.length;
    await pipeline.ctx.activations.receiveMessage('1', i + 1, m.raw.subarray(0, CAP), new Date());
    const folder = await handleActivationMessage(deps, '1', i + 1);
    expect(folder).toBe('Rejected');
    const replies = sink.messages.slice(before);
    if (m.expect.automatic || m.expect.noSender) expect(replies).toHaveLength(0);
    for (const r of replies) {
      expect(r.parsed.attachments.filter((a) => a.filename?.endsWith('.lic'))).toHaveLength(0);
      expect(r.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    }
  });

  it('issued no key and recorded no activation for any of them', async () => {
    expect(await pipeline.ctx.activations.issuedKeys('SSRN2C9D4E6F8G')).toEqual([]);
    expect(await pipeline.ctx.activations.activations('SSRN2C9D4E6F8G')).toEqual([]);
  });
});
