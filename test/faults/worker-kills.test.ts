import { afterAll, describe, expect, it } from 'vitest';
import { spawnService, type ChildService } from '../support/child-service.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { benchEvent } from '../../bench/event-factory.ts';

let pipeline: TestPipeline;
let sink: SmtpSink;
const children: ChildService[] = [];

afterAll(async () => {
  for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGKILL');
  await pipeline?.close();
  await sink?.close();
});

describe('workers killed at random points', () => {
  it('10 SIGKILLs during a 1,000-event run: every recipient gets the message; duplicates are counted and recognisable', async () => {
    sink = await startSmtpSink();
    pipeline = await startPipeline({}, { workers: false });
    const env = {
      ...pipeline.env,
      SMTP_URL: sink.url,
      SMTP_TIMEOUT_MS: '2000',
      SEND_CONCURRENCY: '10',
      LOG_LEVEL: 'info',
    };
    const spawnWorker = () => {
      const w = spawnService('worker', env);
      children.push(w);
      return w;
    };
    const workers = [spawnWorker(), spawnWorker()];

    const run = `K${Date.now().toString(36).toUpperCase().slice(-4)}`;
    for (let i = 0; i < 1000; i++) {
      const res = await pipeline.post('/v1/fulfillments', benchEvent(run, i, 1, 1));
      expect(res.statusCode).toBe(202);
    }
    let kills = 0;
    while (kills < 10) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
      const victim = Math.floor(Math.random() * workers.length);
      workers[victim]!.process.kill('SIGKILL');
      await workers[victim]!.exited;
      kills++;
      workers[victim] = spawnWorker();
    }
    await sink.waitFor(1000, 180_000);
    await pipeline.idle(120_000);

    const byRecipient = new Map<string, string[]>();
    for (const m of sink.messages)
      byRecipient.set(m.to[0]!, [...(byRecipient.get(m.to[0]!) ?? []), m.parsed.messageId!]);
    const missing = 1000 - byRecipient.size;
    const duplicates = [...byRecipient.values()].filter((ids) => ids.length > 1);
    console.log(
      `worker kills: ${kills}, messages: ${sink.messages.length}, recipients reached: ${byRecipient.size}/1000, duplicates: ${duplicates.length}, connections broken at the server: ${sink.connectionErrors.length}`,
    );
    expect(missing).toBe(0);
    // A worker killed between the server's 250 and the acceptance marker can send once more; such a copy carries the
    // same Message-ID, so receiving systems see one message. Bounded by the sends in flight at each kill.
    for (const ids of duplicates) expect(new Set(ids).size).toBe(1);
    expect(duplicates.length).toBeLessThanOrEqual(kills * 10);
    const deliveries = await Promise.all(
      [...new Set(sink.messages.map((m) => /<(f-[^>]+)@/.exec(m.parsed.messageId!)![1]!))].map((id) =>
        pipeline.ctx.deliveries.get(id),
      ),
    );
    expect(deliveries.every((d) => d?.status === 'sent')).toBe(true);
    // A replacement spawned by the last kills may still be starting (the work can be done before the kills): a graceful
    // stop is only asked of a worker that runs.
    for (const w of workers)
      while (!w.output().includes('license-courier running')) await new Promise((r) => setTimeout(r, 100));
    for (const w of workers) w.process.kill('SIGTERM');
    const exits = await Promise.all(workers.map((w) => w.exited));
    expect(exits, workers.map((w) => w.output().slice(-3000)).join('\n----\n')).toEqual([0, 0]);
  }, 400_000);
});
