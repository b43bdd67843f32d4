import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot } from '../test/support/dovecot.ts';
import { rawMail } from '../test/support/mail.ts';
import { startPipeline } from '../test/support/pipeline.ts';
import { startSmtpSink } from '../test/support/smtp-sink.ts';
import { rawExample } from '../test/support/events.ts';
import { round, summarize } from './stats.ts';

/** Time from a request landing in the activation mailbox to its reply accepted by SMTP. */
export async function runActivationBench(requests: number) {
  const box = 'activate@example.net';
  const keyDir = mkdtempSync(join(tmpdir(), 'lc-bench-keys-'));
  writeFileSync(
    join(keyDir, 'k.pem'),
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );
  const dovecot = await startDovecot({ [box]: 'secret' });
  const sink = await startSmtpSink();
  const pipeline = await startPipeline({
    SMTP_URL: sink.url,
    IMAP_URL: dovecot.url(box),
    LICENSE_SIGNING_KEY: join(keyDir, 'k.pem'),
    LOG_LEVEL: 'warn',
  });
  try {
    await pipeline.post('/v1/fulfillments', rawExample('order-heritage-de'));
    await sink.waitFor(2, 60_000);
    const landed = new Map<string, number>();
    for (let i = 0; i < requests; i++) {
      const { raw, messageId } = rawMail({
        from: 'juergen.weiss@mueller-netz.example',
        text: `Code: Mk3pWz-7HqRt-Bn4VxC\nSerial: ${i % 2 ? 'JN11D2E7CAFB' : 'JN125ED29AFL'}`,
      });
      await dovecot.append(box, raw);
      landed.set(messageId, Date.now());
      await new Promise((r) => setTimeout(r, 50));
    }
    await sink.waitFor(2 + requests, 300_000);
    const latencies = sink.messages
      .filter((m) => m.parsed.inReplyTo && landed.has(m.parsed.inReplyTo))
      .map((m) => m.at - landed.get(m.parsed.inReplyTo!)!);
    const s = summarize(latencies);
    return { requests, answered: latencies.length, p50Ms: round(s.median, 0), p95Ms: round(s.p95, 0) };
  } finally {
    await pipeline.close();
    await sink.close();
    await dovecot.dispose();
  }
}
