import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKENS } from '../support/app.ts';
import { TestDnsServer } from '../support/dns-server.ts';
import { startWebhookHarness, type WebhookHarness } from '../support/webhooks.ts';

let h: WebhookHarness;
let strict: WebhookHarness;
const dns = new TestDnsServer();

beforeAll(async () => {
  await dns.start();
  dns.records.set('hooks.vendor.test', '127.0.0.1');
  dns.records.set('intranet.vendor.test', '10.20.30.40');
  dns.records.set('metadata.vendor.test', '169.254.169.254');
  h = await startWebhookHarness({}, { resolve: dns.resolver() });
  strict = await startWebhookHarness({ WEBHOOK_ALLOW_LOOPBACK: 'false' }, { resolve: dns.resolver() });
});
afterAll(async () => {
  await h?.close();
  await strict?.close();
  await dns.close();
});

describe('webhook administration', () => {
  it('registers an endpoint and shows its secret once', async () => {
    const res = await h.admin('POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['delivery.sent', 'delivery.bounced'],
      description: 'ERP receipts',
    });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['delivery.sent', 'delivery.bounced'],
      description: 'ERP receipts',
      createdBy: 'admin-token-3',
      disabledAt: null,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const list = (await h.admin('GET', '/v1/webhooks')).json();
    const listed = list.endpoints.find((e: { id: string }) => e.id === created.id);
    expect(listed).toMatchObject({ url: created.url, eventTypes: created.eventTypes });
    expect(JSON.stringify(list)).not.toContain(created.secret);
    expect(listed).not.toHaveProperty('secret');
    const audit = (await h.admin('GET', '/v1/audit?limit=5')).json();
    expect(audit.entries.map((e: { action: string }) => e.action)).toContain('webhook.endpoint.create');
    expect(JSON.stringify(audit)).not.toContain(created.secret);
  });

  it('names the field of every invalid input', async () => {
    const cases: Array<[object, string, RegExp]> = [
      [{ url: 'http://hooks.example.com/x', eventTypes: ['delivery.sent'] }, 'url', /https/],
      [{ url: 'https://127.0.0.1/x', eventTypes: ['delivery.sent'], extra: 1 }, '(root)', /extra/],
      [{ url: 'http://127.0.0.1:9/x', eventTypes: ['delivery.lost'] }, 'eventTypes[0]', /delivery\.sent/],
      [{ url: 'http://127.0.0.1:9/x', eventTypes: [] }, 'eventTypes', /at least one/],
      [{ eventTypes: ['delivery.sent'] }, 'url', /.+/],
    ];
    for (const [body, path, message] of cases) {
      const res = await h.admin('POST', '/v1/webhooks', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      const issue = res.json().issues.find((i: { path: string }) => i.path === path);
      expect(issue?.message, `${JSON.stringify(body)}: ${res.body}`).toMatch(message);
    }
  });

  it('refuses URLs into private networks, by address or by what the name resolves to', async () => {
    const refused: Array<[WebhookHarness, string, RegExp]> = [
      [h, 'http://169.254.169.254/latest/meta-data/', /link-local/],
      [h, 'https://169.254.169.254/', /link-local/],
      [
        h,
        'https://intranet.vendor.test/hook',
        /intranet\.vendor\.test resolves to a non-public address: 10\.20\.30\.40 is a private address/,
      ],
      [h, 'https://metadata.vendor.test/hook', /link-local/],
      [h, 'https://unknown.vendor.test/hook', /does not resolve/],
      [strict, 'http://127.0.0.1:9/hook', /https/],
      [strict, 'https://127.0.0.1/hook', /loopback/],
      [strict, 'https://hooks.vendor.test/hook', /127\.0\.0\.1 is a loopback address/],
      [strict, 'https://[::ffff:10.0.0.1]/hook', /private/],
    ];
    for (const [harness, url, message] of refused) {
      const res = await harness.admin('POST', '/v1/webhooks', { url, eventTypes: ['delivery.sent'] });
      expect(res.statusCode, url).toBe(400);
      expect(
        res
          .json()
          .issues.filter((i: { path: string }) => i.path === 'url')
          .map((i: { message: string }) => i.message)
          .join('; '),
        url,
      ).toMatch(message);
    }
  });

  it('is for admins only', async () => {
    expect((await h.admin('GET', '/v1/webhooks', undefined, TEST_TOKENS.support)).statusCode).toBe(403);
    expect(
      (
        await h.admin(
          'POST',
          '/v1/webhooks',
          { url: 'http://127.0.0.1:9/', eventTypes: ['delivery.sent'] },
          TEST_TOKENS.intake,
        )
      ).statusCode,
    ).toBe(403);
    const res = await h.api.inject({ method: 'DELETE', url: '/v1/webhooks/whe_AAAAAAAAAAAA' });
    expect(res.statusCode).toBe(401);
  });

  it('removes an endpoint; then it and its deliveries are gone', async () => {
    const { id } = await h.register('http://127.0.0.1:9/gone', ['delivery.sent']);
    expect((await h.admin('DELETE', `/v1/webhooks/${id}`)).statusCode).toBe(204);
    expect((await h.admin('DELETE', `/v1/webhooks/${id}`)).statusCode).toBe(404);
    expect((await h.admin('GET', `/v1/webhooks/${id}/deliveries`)).statusCode).toBe(404);
    expect((await h.admin('GET', '/v1/webhooks')).json().endpoints.map((e: { id: string }) => e.id)).not.toContain(id);
    const bad = await h.admin('DELETE', '/v1/webhooks/not-an-id');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].message).toMatch(/endpoint id/);
    expect((await h.admin('POST', `/v1/webhooks/${id}/deliveries/whd_${'0'.repeat(32)}/retry`)).statusCode).toBe(404);
  });

  it('enables a disabled endpoint again with a fresh failure clock, audited; an enabled one is left as it is', async () => {
    const { id } = await h.register('http://127.0.0.1:9/resume', ['delivery.sent']);
    const failedAt = new Date(Date.now() - 80 * 3_600_000);
    await h.db.transaction(async (tx) => {
      await h.webhooks.endpoints.recordFailure(tx, id, failedAt);
      await h.webhooks.endpoints.disable(tx, id, new Date(), 'no successful delivery since then');
    });
    const listed = async () =>
      (await h.admin('GET', '/v1/webhooks')).json().endpoints.find((e: { id: string }) => e.id === id);
    expect(await listed()).toMatchObject({ failingSince: failedAt.toISOString(), disabledAt: expect.any(String) });

    const res = await h.admin('POST', `/v1/webhooks/${id}/enable`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, disabledAt: null, disabledReason: null, failingSince: null });
    expect(await listed()).toEqual(res.json());
    const again = await h.admin('POST', `/v1/webhooks/${id}/enable`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(res.json());
    const audit = (await h.admin('GET', '/v1/audit?limit=20')).json().entries;
    expect(
      audit
        .filter((e: { action: string }) => e.action === 'webhook.endpoint.enable')
        .map((e: { outcome: string; actor: string; detail: object }) => [e.outcome, e.actor, e.detail]),
    ).toEqual([
      ['already-enabled', 'admin-token-3', { endpointId: id, url: 'http://127.0.0.1:9/resume' }],
      ['enabled', 'admin-token-3', { endpointId: id, url: 'http://127.0.0.1:9/resume' }],
    ]);
  });

  it('refuses to enable an unknown or malformed endpoint id, and anyone but an admin', async () => {
    const unknown = await h.admin('POST', '/v1/webhooks/whe_AAAAAAAAAAAA/enable');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('no webhook endpoint whe_AAAAAAAAAAAA');
    const malformed = await h.admin('POST', '/v1/webhooks/not-an-id/enable');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().issues[0].message).toMatch(/endpoint id/);
    const { id } = await h.register('http://127.0.0.1:9/others', ['delivery.sent']);
    expect((await h.admin('POST', `/v1/webhooks/${id}/enable`, undefined, TEST_TOKENS.support)).statusCode).toBe(403);
    expect((await h.api.inject({ method: 'POST', url: `/v1/webhooks/${id}/enable` })).statusCode).toBe(401);
  });

  it('describes the webhook routes in the OpenAPI document', async () => {
    const doc = (await h.api.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/v1/webhooks'].post['x-required-role']).toBe('admin');
    expect(doc.paths['/v1/webhooks/{id}'].delete).toBeDefined();
    expect(doc.paths['/v1/webhooks/{id}/deliveries/{deliveryId}/retry'].post).toBeDefined();
    const enable = doc.paths['/v1/webhooks/{id}/enable'].post;
    expect(enable['x-required-role']).toBe('admin');
    expect(Object.keys(enable.responses).sort()).toEqual(['200', '400', '401', '403', '404']);
    expect(
      doc.paths['/v1/webhooks'].post.requestBody.content['application/json'].schema.properties.eventTypes.items.enum,
    ).toContain('order.undeliverable');
  });
});
