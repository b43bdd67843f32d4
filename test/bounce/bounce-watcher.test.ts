import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBounceWatcher } from '../../src/bounce/bounce-watcher.ts';
import { startDovecot, type PrivateDovecot } from '../support/dovecot.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { deliveredOrder, orderDeliveries } from './delivered.ts';
import { sample } from './samples.ts';

const BOX = 'bounces@courier.example';
let dovecot: PrivateDovecot;
let sink: SmtpSink;
let pipeline: TestPipeline;

beforeAll(async () => {
  dovecot = await startDovecot({ [BOX]: 'bounce-secret' });
  sink = await startSmtpSink();
  pipeline = await startPipeline({
    SMTP_URL: sink.url,
    BOUNCE_IMAP_URL: dovecot.url(BOX),
    IMAP_POLL_INTERVAL_MS: '200',
  });
}, 60_000);

afterAll(async () => {
  await pipeline?.close();
  await sink?.close();
  await dovecot?.dispose();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('bounce mailbox', () => {
  it('is off without BOUNCE_IMAP_URL', async () => {
    const plain = await startPipeline({}, { workers: false });
    try {
      expect(await startBounceWatcher(plain.ctx)).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('marks a recipient bounced from a DSN in the mailbox, files the DSN, and leaves other mail in the inbox', async () => {
    const { orderNumber, deliveries: [bounced, kept] = [] } = await deliveredOrder(pipeline, 'bounce-watch', 2);
    await dovecot.append(BOX, sample('out-of-office', bounced));
    await dovecot.append(
      BOX,
      sample('postfix-user-unknown', {
        recipient: 'someone@elsewhere.example',
        messageId: '<not-ours.1@elsewhere.example>',
      }),
    );
    await dovecot.append(BOX, sample('exchange-mailbox-full', bounced));

    const watcher = await startBounceWatcher(pipeline.ctx);
    try {
      const processed = await until('the DSN to be filed', async () => {
        const list = await dovecot.list(BOX, 'Processed');
        return list.length ? list : undefined;
      });
      expect(processed.map((m) => m.subject)).toEqual(['Undeliverable: Your licenses for order 4500012345']);

      const [a, b] = await orderDeliveries(pipeline, orderNumber);
      expect(a).toMatchObject({
        id: bounced!.id,
        status: 'bounced',
        lastError: expect.stringMatching(/^5\.2\.2 554 5\.2\.2 mailbox full/),
      });
      expect(b).toMatchObject({ id: kept!.id, status: 'sent' });

      const inbox = await dovecot.list(BOX, 'INBOX');
      expect(inbox.map((m) => m.subject).sort()).toEqual([
        'Automatic reply: Your licenses for order 4500012345',
        'Undelivered Mail Returned to Sender',
      ]);
      // Its UID position and lock live apart from the activation watcher's (which writes under `${prefix}:imap:`).
      const prefix = pipeline.env.KEY_PREFIX!;
      expect(await pipeline.ctx.redis.keys(`${prefix}:bounce:imap:*`)).not.toEqual([]);
      expect(await pipeline.ctx.redis.keys(`${prefix}:imap:*`)).toEqual([]);
    } finally {
      await watcher!.stop();
    }
  }, 40_000);

  it('is part of readiness: ready while a watcher holds the mailbox, also beside one waiting for it; else not', async () => {
    const ready = async () => ((await pipeline.get('/readyz')).statusCode === 200 ? true : undefined);
    await until('the bounce watcher to connect', ready);
    // A second watcher (another worker process, in production) waits for the first one's lock: that must neither
    // take the mailbox's state over while it waits nor remove it when it stops.
    const waiting = await startBounceWatcher(pipeline.ctx);
    try {
      for (let i = 0; i < 10; i++) {
        expect(await ready()).toBe(true);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await waiting!.stop();
    }
    expect(await ready()).toBe(true);

    const unwatched = await startPipeline(
      { SMTP_URL: sink.url, BOUNCE_IMAP_URL: dovecot.url(BOX) },
      { workers: false },
    );
    try {
      const res = await unwatched.get('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json().problems).toEqual(['bounce imap: the bounce mailbox watcher is not running']);
    } finally {
      await unwatched.close();
    }
  }, 40_000);
});
