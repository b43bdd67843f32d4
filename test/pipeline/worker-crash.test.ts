import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { spawnService, type ChildService } from '../support/child-service.ts';
import { makeEvent } from '../support/events.ts';

let pipeline: TestPipeline | undefined;
let sink: SmtpSink | undefined;
const children: ChildService[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.process.exitCode === null) c.process.kill('SIGKILL');
  await pipeline?.close();
  await sink?.close();
});

describe('worker process killed in the middle of a batch', () => {
  it('after a restart, each of 200 recipients has exactly one message', async () => {
    sink = await startSmtpSink();
    // API only in this process; the workers run in child processes that the test kills.
    pipeline = await startPipeline({}, { workers: false });
    const env = {
      ...pipeline.env,
      SMTP_URL: sink.url,
      SMTP_TIMEOUT_MS: '2000',
      SEND_CONCURRENCY: '10',
      LOG_LEVEL: 'warn',
    };

    let worker = spawnService('worker', env);
    children.push(worker);
    // Hold the SMTP answers at the 60th message: whatever was answered before has had time to record its acceptance,
    // whatever is in flight now is unanswered when the worker dies, so both sides of the marker are exercised.
    sink.onData = (ctx) => {
      if (ctx.messageNumber === 60) {
        sink!.paused = true;
        setTimeout(() => worker.process.kill('SIGKILL'), 300);
      }
      return undefined;
    };
    // An order holds at most 50 contacts: four orders make the batch of 200 recipients.
    for (const part of [1, 2, 3, 4])
      expect((await pipeline.post('/v1/fulfillments', makeEvent(`crash-${part}`, 50))).statusCode).toBe(202);

    expect(await worker.exited).toBe('SIGKILL');
    const beforeRestart = sink.messages.length;
    expect(beforeRestart).toBeGreaterThan(0);
    expect(beforeRestart).toBeLessThan(200);
    sink.paused = false;

    worker = spawnService('worker', env);
    children.push(worker);
    await sink.waitFor(200, 90_000);
    await pipeline.idle(30_000);
    const perRecipient = new Map<string, number>();
    for (const m of sink.messages) perRecipient.set(m.to[0]!, (perRecipient.get(m.to[0]!) ?? 0) + 1);
    expect(perRecipient.size).toBe(200);
    expect([...perRecipient.values()].filter((n) => n > 1)).toEqual([]);
    worker.process.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
