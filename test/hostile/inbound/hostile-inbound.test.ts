import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivationDeps } from '../../../src/activation/handle-request.ts';
import { activationDeps, activationOrder, handleRaw } from '../../support/activation.ts';
import { startPipeline, type TestPipeline } from '../../support/pipeline.ts';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from '../../support/smtp-sink.ts';
import { rawExample } from '../../support/events.ts';
import { attackCorpus } from './attacks.ts';
import { hostileInboundCorpus } from './corpus.ts';

/** What the mailbox watcher hands on: never more than this of a message. */
const CAP = 1024 * 1024;
const corpus = hostileInboundCorpus();
const order = activationOrder('hostile');
const attacks = attackCorpus(order.code, order.contact);
let pipeline: TestPipeline;
let sink: SmtpSink;
let deps: ActivationDeps;

beforeAll(async () => {
  sink = await startSmtpSink();
  // Addresses no real server takes: a quoted local part, one over 64 characters (RFC 5321), spaces.
  sink.onRecipient = ({ recipient = '' }) =>
    /["\s<>]/.test(recipient) || recipient.split('@')[0]!.length > 64
      ? { code: 553, message: '5.1.3 bad recipient address syntax' }
      : undefined;
  pipeline = await startPipeline(
    {
      SMTP_URL: sink.url,
      ACTIVATION_ADDRESS: 'activate@example.net',
      MAIL_FROM: 'Licensing <licensing@courier.example>',
    },
    { workers: false },
  );
  expect((await pipeline.post('/v1/fulfillments', rawExample('order-heritage-de'))).statusCode).toBe(202);
  expect((await pipeline.post('/v1/fulfillments', order.event)).statusCode).toBe(202);
  deps = activationDeps(pipeline.ctx);
});
afterAll(async () => {
  await pipeline.close();
  await sink.close();
});

const keyFiles = (m: ReceivedMessage) => m.parsed.attachments.filter((a) => a.filename?.endsWith('.lic'));

describe('hostile inbound activation mail from strangers and machines', () => {
  it('has at least 150 messages in all', () => {
    expect(corpus.length + attacks.length).toBeGreaterThanOrEqual(150);
  });

  it.each(corpus.map((m) => [m.name, m] as const))(
    '%s: filed in Rejected, no key, answered only to its sender',
    async (_name, m) => {
      const before = sink.messages.length;
      const { folder } = await handleRaw(deps, m.raw.subarray(0, CAP));
      expect(folder).toBe('Rejected');
      const replies = sink.messages.slice(before);
      if (m.expect.automatic || m.expect.noSender) expect(replies).toHaveLength(0);
      expect(replies.length).toBeLessThanOrEqual(1);
      for (const r of replies) {
        expect(keyFiles(r)).toHaveLength(0);
        expect(r.parsed.headers.get('auto-submitted')).toBe('auto-replied');
        expect(r.to).toEqual([r.parsed.to && 'value' in r.parsed.to ? r.parsed.to.value[0]!.address : '']);
      }
    },
  );

  it('issued no key and recorded no activation for any of them', async () => {
    expect(await pipeline.ctx.activations.issuedKeys('SSRN2C9D4E6F8G')).toEqual([]);
    expect(await pipeline.ctx.activations.activations('SSRN2C9D4E6F8G')).toEqual([]);
  });
});

describe('hostile inbound mail in the name of a contact', () => {
  it.each(attacks.map((m) => [m.name, m] as const))(
    '%s',
    async (_name, m) => {
      const before = sink.messages.length;
      const { folder, uid } = await handleRaw(deps, m.raw);
      expect(folder).toBe(m.expect.folder);
      const replies = sink.messages.slice(before);
      if (m.expect.reply === 'none') expect(replies).toHaveLength(0);
      else {
        expect(replies).toHaveLength(1);
        const [reply] = replies;
        expect(keyFiles(reply!)).toHaveLength(m.expect.reply === 'keys' ? (m.expect.keys ?? 1) : 0);
        expect(reply!.parsed.headers.has('bcc')).toBe(false);
        m.expect.check?.(reply!.parsed);
      }
      // Filed exactly once: the job run again changes nothing and sends nothing.
      const { handleActivationMessage } = await import('../../../src/activation/handle-request.ts');
      expect(await handleActivationMessage(deps, '1', uid)).toBe(m.expect.folder);
      expect(sink.messages.length).toBe(before + replies.length);
    },
    60_000,
  );

  it('issued one key for the one device asked for, however often', async () => {
    expect(
      (await pipeline.ctx.activations.issuedKeys(order.event.lines[0]!.ssrn as string)).map((k) => k.device),
    ).toEqual(['JN11D2E7CAFB']);
  });
});
