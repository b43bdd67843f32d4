import { afterEach, describe, expect, it } from 'vitest';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { benchEvent } from '../../bench/event-factory.ts';

let pipeline: TestPipeline | undefined;
let sink: SmtpSink | undefined;
afterEach(async () => {
  await pipeline?.close();
  await sink?.close();
  pipeline = sink = undefined;
});

function perRecipient(s: SmtpSink): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of s.messages) counts.set(m.to[0]!, (counts.get(m.to[0]!) ?? 0) + 1);
  return counts;
}

describe('SMTP faults', () => {
  it('a server refusing connections for 60 s mid-run: everything is delivered once it is back', async () => {
    sink = await startSmtpSink();
    const port = sink.port;
    pipeline = await startPipeline({ SMTP_URL: sink.url, SEND_BACKOFF_MS: '1000', SEND_ATTEMPTS: '12' });
    const run = `O${Date.now().toString(36).toUpperCase().slice(-4)}`;
    for (let i = 0; i < 50; i++) await pipeline.post('/v1/fulfillments', benchEvent(run, i, 1, 3));
    await sink.waitFor(30);
    await sink.close();
    const down = Date.now();
    for (let i = 50; i < 100; i++)
      expect((await pipeline.post('/v1/fulfillments', benchEvent(run, i, 1, 3))).statusCode).toBe(202);
    await new Promise((r) => setTimeout(r, 60_000 - (Date.now() - down)));
    const before = sink.messages;
    sink = await startSmtpSink(port);
    sink.messages.unshift(...before);
    await sink.waitFor(300, 120_000);
    await pipeline.idle(60_000);
    const counts = perRecipient(sink);
    expect(counts.size).toBe(300);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  }, 240_000);

  it('421 and 451 for a third of the messages: each delivered exactly once after retries', async () => {
    sink = await startSmtpSink();
    let refusals = 0;
    sink.onData = ({ messageNumber }) => {
      if (messageNumber % 3 !== 0) return undefined;
      refusals++;
      return messageNumber % 2
        ? { code: 421, message: '4.3.2 Service shutting down, try later' }
        : { code: 451, message: '4.7.1 Greylisted' };
    };
    pipeline = await startPipeline({ SMTP_URL: sink.url, SEND_BACKOFF_MS: '100' });
    const run = `G${Date.now().toString(36).toUpperCase().slice(-4)}`;
    for (let i = 0; i < 100; i++) await pipeline.post('/v1/fulfillments', benchEvent(run, i, 1, 3));
    await sink.waitFor(300, 120_000);
    await pipeline.idle(60_000);
    expect(refusals).toBeGreaterThan(50);
    const counts = perRecipient(sink);
    expect(counts.size).toBe(300);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  }, 180_000);
});
