import { afterEach, describe, expect, it } from 'vitest';
import { postWebhook } from '../../src/http/post-webhook.ts';
import { registry } from '../../src/metrics.ts';
import { deliverWebhook, type DeliverDeps } from '../../src/webhooks/deliver.ts';
import { newSecret } from '../../src/webhooks/signing.ts';
import { EVENT_TYPES, type EventType } from '../../src/webhook-rules/events.ts';
import { ManualClock, TEST_TOKENS } from '../support/app.ts';
import { TestDnsServer } from '../support/dns-server.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';
import { SAMPLE_EVENTS, startWebhookHarness, type WebhookHarness } from '../support/webhooks.ts';
import { subscribe } from '../support/webhook-subscriber.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function harness(
  env: Record<string, string> = {},
  options: Parameters<typeof startWebhookHarness>[1] = {},
): Promise<WebhookHarness> {
  const h = await startWebhookHarness(env, options);
  cleanups.push(() => h.close());
  return h;
}

async function receiver(port?: number): Promise<WebhookReceiver> {
  const r = await new WebhookReceiver().start(port);
  cleanups.push(() => r.stop());
  return r;
}

interface DeliveryView {
  id: string;
  webhookId: string;
  eventType: string;
  status: string;
  lastError: string | null;
  attempts: Array<{
    attempt: number;
    outcome: string;
    statusCode: number | null;
    response: string | null;
    error: string | null;
    manual: boolean;
    at: string;
  }>;
}

async function deliveries(h: WebhookHarness, endpointId: string): Promise<DeliveryView[]> {
  const res = await h.admin('GET', `/v1/webhooks/${endpointId}/deliveries?limit=200`);
  expect(res.statusCode).toBe(200);
  return res.json().deliveries;
}

async function waitForDeliveries(
  h: WebhookHarness,
  endpointId: string,
  done: (ds: DeliveryView[]) => boolean,
  timeoutMs = 90_000,
): Promise<DeliveryView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ds = await deliveries(h, endpointId);
    if (done(ds)) return ds;
    if (Date.now() > deadline)
      throw new Error(
        `deliveries not as expected: ${JSON.stringify(ds.map((d) => [d.status, d.attempts.map((a) => a.outcome)]))}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

describe('webhook delivery', () => {
  it('delivers every event type, signed, to the endpoints that asked for it, with every attempt visible', async () => {
    const h = await harness({}, { sender: true });
    const all = await receiver();
    const some = await receiver();
    const allEndpoint = await h.register(all.url, EVENT_TYPES);
    all.secret = allEndpoint.secret;
    const someEndpoint = await h.register(some.url, ['delivery.bounced', 'order.undeliverable']);
    some.secret = someEndpoint.secret;
    all.answer = () => ({ status: 200, body: 'ok '.repeat(600) });

    const ids = new Map<string, EventType>();
    for (const type of EVENT_TYPES) ids.set(await h.record(type, `sample-${type}`, SAMPLE_EVENTS[type] as never), type);
    await all.waitFor(() => all.unique().size === EVENT_TYPES.length);
    await some.waitFor(() => some.unique().size === 2);

    expect(all.rejected).toEqual([]);
    for (const [id, type] of ids) {
      const got = all.unique().get(id)!;
      expect(got.type).toBe(type);
      expect(got.data).toEqual(SAMPLE_EVENTS[type]);
      expect(got.headers['content-type']).toBe('application/json');
    }
    expect([...some.unique().values()].map((r) => r.type).sort()).toEqual(['delivery.bounced', 'order.undeliverable']);
    // The same event reaches each endpoint under the same webhook-id, each signed with that endpoint's secret.
    for (const [id, r] of some.unique()) expect(all.unique().get(id)?.type).toBe(r.type);

    const ds = await waitForDeliveries(
      h,
      allEndpoint.id,
      (x) => x.length === EVENT_TYPES.length && x.every((d) => d.status === 'delivered'),
    );
    const first = ds[0]!;
    expect(first.attempts).toHaveLength(1);
    expect(first.attempts[0]).toMatchObject({ attempt: 1, outcome: 'delivered', statusCode: 200, manual: false });
    expect(first.attempts[0]!.response).toHaveLength(1024);
    expect(
      await metric('license_courier_webhook_attempts_total', { endpoint: allEndpoint.id, outcome: 'delivered' }),
    ).toBe(EVENT_TYPES.length);
  });

  it('keeps each event once in the outbox, and only when its transaction commits', async () => {
    const h = await harness();
    await subscribe(h.db, ['delivery.sent']);
    const event = SAMPLE_EVENTS['delivery.sent'];
    await h.record('delivery.sent', 'same-change', event);
    await h.record('delivery.sent', 'same-change', event);
    await expect(
      h.db.transaction(async (tx) => {
        const { webhookEvent } = await import('../../src/webhook-rules/events.ts');
        await h.webhooks.outbox.record(tx, webhookEvent('delivery.sent', 'rolled-back', event, new Date()));
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await h.webhooks.outbox.unrelayedCount()).toBe(1);
  });

  it('sends the deliveries of a relay that died between creating them and queueing them', async () => {
    const h = await harness();
    const r = await receiver();
    const endpoint = await h.register(r.url, ['activation.issued']);
    r.secret = endpoint.secret;
    const id = await h.record('activation.issued', 'orphan', SAMPLE_EVENTS['activation.issued']);
    // The relay's first half (deliveries created, event marked relayed), without the queueing that would follow.
    expect((await h.webhooks.outbox.relay(10, new Date())).deliveryIds).toHaveLength(1);
    expect(await h.webhooks.queue.count()).toBe(0);
    h.startSender();
    await r.waitFor(() => r.unique().has(id));
    expect(r.seen(id)).toBe(1);
  });

  it('receiver down for a while, then back: every event arrives, once per webhook-id after de-duplication', async () => {
    const h = await harness({ WEBHOOK_BACKOFF_MS: '100', WEBHOOK_BACKOFF_MAX_MS: '400' }, { sender: true });
    const r = await receiver();
    const port = r.port;
    const endpoint = await h.register(r.url, ['delivery.sent']);
    r.secret = endpoint.secret;
    await r.stop();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++)
      ids.push(
        await h.record('delivery.sent', `down-${i}`, { ...SAMPLE_EVENTS['delivery.sent'], deliveryId: `down-${i}` }),
      );
    await waitForDeliveries(h, endpoint.id, (ds) => ds.length === 30 && ds.every((d) => d.attempts.length >= 2));
    await r.start(port);
    await r.waitFor(() => ids.every((id) => r.unique().has(id)));
    const ds = await waitForDeliveries(h, endpoint.id, (x) => x.every((d) => d.status === 'delivered'));
    expect(r.unique().size).toBe(30);
    expect(r.rejected).toEqual([]);
    for (const d of ds) {
      expect(d.attempts.at(-1)!.outcome).toBe('delivered');
      expect(
        d.attempts.slice(0, -1).every((a) => a.outcome === 'network-error' && /ECONNREFUSED/.test(a.error ?? '')),
      ).toBe(true);
    }
  });

  it('retries 500s and answers slower than the timeout, and records each attempt with its answer', async () => {
    const h = await harness(
      { WEBHOOK_TIMEOUT_MS: '300', WEBHOOK_BACKOFF_MS: '50', WEBHOOK_BACKOFF_MAX_MS: '100' },
      { sender: true },
    );
    const r = await receiver();
    const endpoint = await h.register(r.url, ['delivery.failed']);
    r.secret = endpoint.secret;
    r.answer = (_req, seen) =>
      seen === 1
        ? { status: 500, body: 'database on fire' }
        : seen === 2
          ? { status: 200, delayMs: 1_000 }
          : { status: 202 };
    const id = await h.record('delivery.failed', 'flaky', SAMPLE_EVENTS['delivery.failed']);
    const [d] = await waitForDeliveries(h, endpoint.id, (ds) => ds[0]?.status === 'delivered');
    expect(d!.webhookId).toBe(id);
    expect(d!.attempts.map((a) => [a.outcome, a.statusCode])).toEqual([
      ['http-error', 500],
      ['timeout', null],
      ['delivered', 202],
    ]);
    expect(d!.attempts[0]!.response).toBe('database on fire');
    expect(d!.attempts[1]!.error).toMatch(/no answer within 300 ms/);
    expect(r.seen(id)).toBe(3);
    expect(new Set(r.requests.map((x) => x.headers['webhook-id']))).toEqual(new Set([id]));
    expect(await metric('license_courier_webhook_attempts_total', { endpoint: endpoint.id, outcome: 'timeout' })).toBe(
      1,
    );
  });

  it('never follows a redirect, and refuses at send time a name that now resolves to a private address', async () => {
    const dns = new TestDnsServer();
    await dns.start();
    cleanups.push(() => dns.close());
    dns.records.set('erp.vendor.test', '127.0.0.1');
    const h = await harness(
      { WEBHOOK_BACKOFF_MS: '50', WEBHOOK_BACKOFF_MAX_MS: '100' },
      { sender: true, resolve: dns.resolver() },
    );
    const target = await receiver();
    const redirecting = await receiver();
    const redirected = await h.register(redirecting.url, ['delivery.sent']);
    redirecting.secret = redirected.secret;
    redirecting.answer = () => ({ status: 302, location: `http://127.0.0.1:${target.port}/internal` });
    const rebinding = await h
      .register(`http://localhost:${target.port}/x`.replace('localhost', 'erp.vendor.test'), ['delivery.sent'])
      .catch((e: Error) => e);
    // http:// is for loopback hosts only, even when the name resolves to loopback: the name is what is checked.
    expect(String(rebinding)).toMatch(/400/);
    const named = await h.register(`https://erp.vendor.test:${target.port}/x`, ['delivery.sent']);
    dns.records.set('erp.vendor.test', '10.0.0.7');

    await h.record('delivery.sent', 'ssrf', SAMPLE_EVENTS['delivery.sent']);
    const [viaRedirect] = await waitForDeliveries(h, redirected.id, (ds) => (ds[0]?.attempts.length ?? 0) >= 2);
    expect(viaRedirect!.attempts[0]).toMatchObject({ outcome: 'http-error', statusCode: 302 });
    expect(viaRedirect!.attempts[0]!.error).toMatch(/redirect to http:\/\/127\.0\.0\.1:\d+\/internal not followed/);
    const [viaName] = await waitForDeliveries(h, named.id, (ds) => (ds[0]?.attempts.length ?? 0) >= 1);
    expect(viaName!.attempts[0]).toMatchObject({ outcome: 'refused', statusCode: null });
    expect(viaName!.attempts[0]!.error).toMatch(
      /erp\.vendor\.test resolves to a non-public address: 10\.0\.0\.7 is a private address/,
    );
    expect(target.requests).toHaveLength(0);
  });

  it('with loopback not allowed, does not follow a redirect to 127.0.0.1: the attempt fails with the 302, the target is never asked', async () => {
    const h = await harness({ WEBHOOK_ALLOW_LOOPBACK: 'false' });
    const target = await receiver();
    const redirecting = await receiver();
    redirecting.answer = () => ({ status: 302, location: `http://127.0.0.1:${target.port}/internal` });
    // Under this policy the API refuses every address a receiver in this test can have (loopback), so the endpoint is
    // written straight to the store, and the send is run at the delivery level.
    await expect(h.register(redirecting.url, ['delivery.sent'])).rejects.toThrow(
      /400.*127\.0\.0\.1 is a loopback address/,
    );
    redirecting.secret = newSecret();
    const endpoint = await h.webhooks.endpoints.create(
      { url: redirecting.url, eventTypes: ['delivery.sent'], secret: redirecting.secret, createdBy: 'test' },
      h.pipeline.ctx.clock.now(),
    );
    const id = await h.record('delivery.sent', 'strict-redirect', SAMPLE_EVENTS['delivery.sent']);
    const [deliveryId] = (await h.webhooks.outbox.relay(10, new Date())).deliveryIds;
    // The registered receiver stands in for a public host: its own URL is let through, and every other loopback
    // address (the redirect's target) is refused as the service's policy refuses it.
    const post: DeliverDeps['post'] = (url, headers, body) =>
      postWebhook(url, headers, body, {
        timeoutMs: 5_000,
        resolve: async () => [],
        policy: { allowLoopback: url === redirecting.url },
      });
    await expect(deliverWebhook({ ...h.webhooks.deliverDeps, post }, deliveryId!, { manual: false })).rejects.toThrow(
      /^HTTP 302: redirect to http:\/\/127\.0\.0\.1:\d+\/internal not followed$/,
    );
    const [d] = await deliveries(h, endpoint.id);
    expect(d).toMatchObject({ webhookId: id, status: 'retrying' });
    expect(d!.attempts).toEqual([expect.objectContaining({ outcome: 'http-error', statusCode: 302, manual: false })]);
    expect(redirecting.requests.map((r) => r.webhookId)).toEqual([id]);
    expect(target.requests).toEqual([]);
    expect(target.rejected).toEqual([]);
  });

  it('keeps to the endpoint concurrency across the worker', async () => {
    const h = await harness({ WEBHOOK_ENDPOINT_CONCURRENCY: '2', WEBHOOK_CONCURRENCY: '20' }, { sender: true });
    const r = await receiver();
    const endpoint = await h.register(r.url, ['delivery.sent']);
    r.secret = endpoint.secret;
    r.answer = () => ({ status: 204, delayMs: 100 });
    for (let i = 0; i < 12; i++) await h.record('delivery.sent', `c-${i}`, SAMPLE_EVENTS['delivery.sent']);
    await r.waitFor(() => r.unique().size === 12);
    expect(r.maxInFlight).toBe(2);
  });

  it('a manual retry sends a delivery again with the same webhook-id', async () => {
    const h = await harness({}, { sender: true });
    const r = await receiver();
    const endpoint = await h.register(r.url, ['notice.sent']);
    r.secret = endpoint.secret;
    const id = await h.record('notice.sent', 'n1', SAMPLE_EVENTS['notice.sent']);
    const [d] = await waitForDeliveries(h, endpoint.id, (ds) => ds[0]?.status === 'delivered');
    const res = await h.admin('POST', `/v1/webhooks/${endpoint.id}/deliveries/${d!.id}/retry`);
    expect(res.statusCode).toBe(202);
    await r.waitFor(() => r.seen(id) === 2);
    const [after] = await waitForDeliveries(h, endpoint.id, (ds) => ds[0]?.attempts.length === 2);
    expect(after!.attempts.map((a) => a.manual)).toEqual([false, true]);
    expect(after!.status).toBe('delivered');
  });

  it('gives up after the retry window, and disables an endpoint failing for three days, telling the admins once', async () => {
    const clock = new ManualClock(new Date());
    const h = await harness({ WEBHOOK_BACKOFF_MS: '50', WEBHOOK_BACKOFF_MAX_MS: '50' }, { clock });
    const r = await receiver();
    const endpoint = await h.register(r.url, ['delivery.failed', 'delivery.sent']);
    r.secret = endpoint.secret;
    r.answer = () => ({ status: 503, body: 'maintenance' });
    const start = clock.now().getTime();
    for (let i = 0; i < 3; i++) await h.record('delivery.failed', `f-${i}`, SAMPLE_EVENTS['delivery.failed']);
    h.startSender();
    await waitForDeliveries(h, endpoint.id, (ds) => ds.length === 3 && ds.every((d) => d.attempts.length >= 2));
    clock.set(new Date(start + 25 * 3_600_000).toISOString());
    const failed = await waitForDeliveries(h, endpoint.id, (ds) => ds.every((d) => d.status === 'failed'));
    // Once the clock has moved, the receiver also refuses the signatures' timestamps as too new (400): failures either
    // way.
    expect(failed.map((d) => d.lastError)).toEqual(Array(3).fill(expect.stringMatching(/^HTTP (503|400)$/)));
    expect(await metric('license_courier_webhook_deliveries_failed_total', { endpoint: endpoint.id })).toBe(3);
    expect((await h.admin('GET', '/v1/webhooks')).json().endpoints[0].disabledAt).toBeNull();

    // Still failing more than three days after its first failure: the next failure disables it.
    for (let i = 0; i < 3; i++) await h.record('delivery.sent', `late-${i}`, SAMPLE_EVENTS['delivery.sent']);
    // Relayed first: an event the relay reaches after the endpoint is disabled rightly gets no delivery.
    await waitForDeliveries(h, endpoint.id, (ds) => ds.length === 6);
    clock.set(new Date(start + 73 * 3_600_000).toISOString());
    await waitForDeliveries(h, endpoint.id, (ds) => ds.length === 6 && ds.every((d) => d.status === 'failed'));
    const listed = (await h.admin('GET', '/v1/webhooks')).json().endpoints[0];
    expect(listed.disabledAt).not.toBeNull();
    expect(listed.disabledReason).toMatch(/no successful delivery since/);
    const audit = (await h.admin('GET', '/v1/audit?limit=50'))
      .json()
      .entries.filter((e: { action: string }) => e.action === 'webhook.endpoint.disable');
    expect(audit).toHaveLength(1);
    expect(audit[0].detail).toMatchObject({
      endpointId: endpoint.id,
      url: r.url,
      lastError: expect.stringMatching(/^HTTP (503|400)$/),
    });
    expect(await metric('license_courier_webhook_endpoints_disabled_total', { endpoint: endpoint.id })).toBe(1);

    // A disabled endpoint gets nothing more.
    const before = r.requests.length;
    await h.record('delivery.sent', 'after-disable', SAMPLE_EVENTS['delivery.sent']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await h.webhooks.outbox.unrelayedCount()).toBe(0);
    expect(await deliveries(h, endpoint.id)).toHaveLength(6);
    expect(r.requests.length).toBe(before);
  }, 180_000);

  it('an admin enables a disabled endpoint again: new events are delivered, and its old failures no longer count', async () => {
    // Failing for two hours, with an hour's failures disabling: the clock starts in the past and then catches up.
    const start = Date.now();
    const clock = new ManualClock(new Date(start - 2 * 3_600_000));
    const h = await harness(
      { WEBHOOK_DISABLE_AFTER_HOURS: '1', WEBHOOK_BACKOFF_MS: '50', WEBHOOK_BACKOFF_MAX_MS: '100' },
      { clock, sender: true },
    );
    const r = await receiver();
    const endpoint = await h.register(r.url, ['delivery.sent']);
    r.secret = endpoint.secret;
    r.answer = () => ({ status: 503, body: 'maintenance' });
    const old = await h.record('delivery.sent', 'before-disable', SAMPLE_EVENTS['delivery.sent']);
    await waitForDeliveries(h, endpoint.id, (ds) => (ds[0]?.attempts.length ?? 0) >= 1);
    clock.set(new Date(start).toISOString());
    await waitForDeliveries(h, endpoint.id, (ds) => ds[0]?.status === 'failed');
    expect((await h.admin('GET', '/v1/webhooks')).json().endpoints[0].disabledAt).not.toBeNull();

    expect(
      (await h.admin('POST', `/v1/webhooks/${endpoint.id}/enable`, undefined, TEST_TOKENS.support)).statusCode,
    ).toBe(403);
    const enabled = await h.admin('POST', `/v1/webhooks/${endpoint.id}/enable`);
    expect(enabled.statusCode).toBe(200);
    expect(enabled.json()).toMatchObject({
      id: endpoint.id,
      disabledAt: null,
      disabledReason: null,
      failingSince: null,
    });
    // The first new event fails once more: with the old failure clock that would disable the endpoint at once.
    r.answer = (request, seen) => (request.webhookId !== old && seen === 1 ? { status: 500 } : { status: 204 });
    const fresh = await h.record('delivery.sent', 'after-enable', SAMPLE_EVENTS['delivery.sent']);
    const ds = await waitForDeliveries(h, endpoint.id, (x) => x.length === 2 && x[0]!.status === 'delivered');
    expect(ds.map((d) => [d.webhookId, d.status])).toEqual([
      [fresh, 'delivered'],
      [old, 'failed'],
    ]);
    expect(ds[0]!.attempts.map((a) => a.statusCode)).toEqual([500, 204]);
    expect(r.seen(fresh)).toBe(2);
    const listed = (await h.admin('GET', '/v1/webhooks')).json().endpoints[0];
    expect(listed).toMatchObject({ disabledAt: null, failingSince: null });
    const audit = (await h.admin('GET', '/v1/audit?limit=50')).json().entries;
    expect(audit.filter((e: { action: string }) => e.action === 'webhook.endpoint.enable')).toEqual([
      expect.objectContaining({
        actor: 'admin-token-3',
        outcome: 'enabled',
        detail: { endpointId: endpoint.id, url: r.url },
      }),
    ]);
  }, 120_000);
});
