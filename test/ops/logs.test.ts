import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startPipeline } from '../support/pipeline.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import { startDovecot } from '../support/dovecot.ts';
import { FormClient } from '../support/console-client.ts';
import { TEST_TOKENS } from '../support/app.ts';
import { rawExample } from '../support/events.ts';
import type { OrderView } from '../../src/support/order-view.ts';

/** A debug logger whose output the test reads. */
function capture() {
  const log = { text: '' };
  const stream = new Writable({
    write(chunk, _enc, done) {
      log.text += chunk.toString();
      done();
    },
  });
  return { log, logger: createLogger('debug', stream) };
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 20_000; !done(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('logs', () => {
  it('are JSON lines that name the delivery, and carry no token, password or license key', async () => {
    const { log, logger } = capture();
    const dir = mkdtempSync(join(tmpdir(), 'lc-logs-'));
    writeFileSync(
      join(dir, 'k.pem'),
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const sink = await startSmtpSink();
    const password = 'smtp-Secret-Password-4711';
    const pipeline = await startPipeline(
      {
        SMTP_URL: `smtp://courier:${password}@127.0.0.1:${sink.port}`,
        LICENSE_SIGNING_KEY: join(dir, 'k.pem'),
        LOG_LEVEL: 'debug',
      },
      { logger },
    );
    try {
      expect((await pipeline.post('/v1/fulfillments', rawExample('order-cloud-security'))).statusCode).toBe(202);
      expect((await pipeline.post('/v1/fulfillments', { eventId: 'broken' })).statusCode).toBe(400);
      expect(
        (
          await pipeline.api.inject({
            method: 'GET',
            url: '/v1/audit',
            headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
          })
        ).statusCode,
      ).toBe(200);
      await sink.waitFor(2);
      await pipeline.idle();
      const view = (await pipeline.get('/v1/orders/15563522')).json() as OrderView;
      expect(view.entitlements.find((e) => e.product === 'atp-appliance')!.keys).toHaveLength(1);
      const key = sink.messages[0]!.parsed.attachments.find((a) => a.filename?.endsWith('.lic'))!
        .content.toString()
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .join('\n');

      const lines = log.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.length).toBeGreaterThan(5);
      const accepted = lines.filter((l) => l.msg === 'message accepted');
      expect(accepted).toHaveLength(2);
      for (const l of accepted)
        expect(l).toMatchObject({
          order: '15563522',
          eventId: 'erp-20261128-000104',
          jobId: expect.any(String),
          recipient: expect.stringContaining('@'),
        });
      for (const secret of [
        ...Object.values(TEST_TOKENS),
        password,
        key.split('\n')[1]!,
        key.split('\n').slice(1).join('').replace(/\s/g, '').slice(0, 40),
      ]) {
        expect(log.text, secret).not.toContain(secret);
      }
    } finally {
      await pipeline.close();
      await sink.close();
    }
  });

  it('name failures without the credentials that caused them: refused SMTP login, refused IMAP login, bad admin sign-in', async () => {
    const { log, logger } = capture();
    const smtpPassword = 'smtp-Wrong-Password-0815';
    const imapPassword = 'imap-Wrong-Password-0815';
    const refusing = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (_auth, _session, callback) => callback(new Error('535 5.7.8 authentication failed')),
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
    const smtpPort = (refusing as unknown as { server: { address(): { port: number } } }).server.address().port;
    const dovecot = await startDovecot({ 'activate@example.net': 'the-right-one' });
    const pipeline = await startPipeline(
      {
        SMTP_URL: `smtp://courier:${smtpPassword}@127.0.0.1:${smtpPort}`,
        SEND_ATTEMPTS: '1',
        LOG_LEVEL: 'debug',
        IMAP_URL: `imap://activate%40example.net:${imapPassword}@127.0.0.1:${dovecot.port}`,
        IMAP_POLL_INTERVAL_MS: '200',
      },
      { logger },
    );
    try {
      expect((await pipeline.post('/v1/fulfillments', rawExample('order-ex-srx'))).statusCode).toBe(202);
      await pipeline.idle();
      const signIn = (token: string) => new FormClient(pipeline.api).signIn(token);
      expect((await signIn(TEST_TOKENS.intake)).statusCode).toBe(401);
      expect((await signIn(TEST_TOKENS.admin)).statusCode).toBe(303);
      const lines = () =>
        log.text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      await until('the IMAP failure to be logged', () =>
        lines().some((l) => l.component === 'imap' && Number(l.level) >= 40),
      );
      expect(lines().filter((l) => l.msg === 'job failed' && l.queue === 'send')).not.toHaveLength(0);
      for (const secret of [smtpPassword, imapPassword, ...Object.values(TEST_TOKENS)])
        expect(log.text, secret).not.toContain(secret);
    } finally {
      await pipeline.close();
      await dovecot.dispose();
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  }, 60_000);
});
