import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.ts';
import { startPipeline } from '../support/pipeline.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import { TEST_TOKENS } from '../support/app.ts';
import { rawExample } from '../support/events.ts';
import type { OrderView } from '../../src/support/order-view.ts';

describe('logs', () => {
  it('are JSON lines that name the delivery, and carry no token, password or license key', async () => {
    let log = '';
    const stream = new Writable({ write(chunk, _enc, done) { log += chunk.toString(); done(); } });
    const dir = mkdtempSync(join(tmpdir(), 'lc-logs-'));
    writeFileSync(join(dir, 'k.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const sink = await startSmtpSink();
    const password = 'smtp-Secret-Password-4711';
    const pipeline = await startPipeline(
      { SMTP_URL: `smtp://courier:${password}@127.0.0.1:${sink.port}`, LICENSE_SIGNING_KEY: join(dir, 'k.pem'), LOG_LEVEL: 'debug' },
      { logger: createLogger('debug', stream) },
    );
    try {
      expect((await pipeline.post('/v1/fulfillments', rawExample('order-cloud-security'))).statusCode).toBe(202);
      expect((await pipeline.post('/v1/fulfillments', { eventId: 'broken' })).statusCode).toBe(400);
      expect((await pipeline.api.inject({ method: 'GET', url: '/v1/audit', headers: { authorization: `Bearer ${TEST_TOKENS.admin}` } })).statusCode).toBe(200);
      await sink.waitFor(2);
      await pipeline.idle();
      const view = (await pipeline.get('/v1/orders/15563522')).json() as OrderView;
      expect(view.entitlements.find((e) => e.product === 'atp-appliance')!.keys).toHaveLength(1);
      const key = sink.messages[0]!.parsed.attachments.find((a) => a.filename?.endsWith('.lic'))!.content.toString().trim();

      const lines = log.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.length).toBeGreaterThan(5);
      const accepted = lines.filter((l) => l.msg === 'message accepted');
      expect(accepted).toHaveLength(2);
      for (const l of accepted) expect(l).toMatchObject({ order: '15563522', eventId: 'erp-20261128-000104', jobId: expect.any(String), recipient: expect.stringContaining('@') });
      for (const secret of [...Object.values(TEST_TOKENS), password, key.split('\n')[1]!, key.split('\n').slice(1).join('').replace(/\s/g, '').slice(0, 40)]) {
        expect(log, secret).not.toContain(secret);
      }
    } finally {
      await pipeline.close();
      await sink.close();
    }
  });
});
