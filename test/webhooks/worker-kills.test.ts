import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnScript, type ChildService } from '../support/child-service.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';
import { SAMPLE_EVENTS, startWebhookHarness, type WebhookHarness } from '../support/webhooks.ts';

const WORKER = fileURLToPath(new URL('../support/webhook-worker-process.ts', import.meta.url));
const children: ChildService[] = [];
let h: WebhookHarness;
let r: WebhookReceiver;

afterAll(async () => {
  for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGKILL');
  await r?.stop();
  await h?.close();
});

describe('webhook workers killed mid-send', () => {
  it('4 SIGKILLs while 150 events are being sent: every event reaches the receiver, repeats carry the same webhook-id', async () => {
    h = await startWebhookHarness({});
    r = await new WebhookReceiver().start();
    const endpoint = await h.register(r.url, ['delivery.sent']);
    r.secret = endpoint.secret;
    // Slow answers keep sends in flight, so the kills land mid-request.
    r.answer = () => ({ status: 204, delayMs: 150 + Math.floor(Math.random() * 300) });
    const env = {
      ...h.pipeline.env,
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_BACKOFF_MS: '100',
      WEBHOOK_BACKOFF_MAX_MS: '500',
      WEBHOOK_CONCURRENCY: '8',
      LOG_LEVEL: 'warn',
    };
    const spawn = () => {
      const child = spawnScript(WORKER, env);
      children.push(child);
      return child;
    };
    const workers = [spawn(), spawn()];
    const ids: string[] = [];
    for (let i = 0; i < 150; i++)
      ids.push(
        await h.record('delivery.sent', `kill-${i}`, { ...SAMPLE_EVENTS['delivery.sent'], deliveryId: `kill-${i}` }),
      );

    let kills = 0;
    while (kills < 4) {
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 400));
      // Kill a worker that is up while requests are in flight, so the kill lands mid-send.
      await r.waitFor(
        () => r.inFlight > 0 && workers.some((w) => w.output().includes('webhook worker ready')),
        60_000,
        'a send in flight',
      );
      const ready = workers.map((w, i) => [w, i] as const).filter(([w]) => w.output().includes('webhook worker ready'));
      const victim = ready[Math.floor(Math.random() * ready.length)]![1];
      workers[victim]!.process.kill('SIGKILL');
      await workers[victim]!.exited;
      kills++;
      workers[victim] = spawn();
    }
    await r.waitFor(() => ids.every((id) => r.unique().has(id)), 120_000);
    const repeats = ids.filter((id) => r.seen(id) > 1).length;
    console.log(
      `webhook worker kills: ${kills}, requests: ${r.requests.length}, distinct webhook-ids: ${r.unique().size}/150, repeated: ${repeats}`,
    );
    expect(r.unique().size).toBe(150);
    expect(r.rejected).toEqual([]);
  }, 180_000);
});
