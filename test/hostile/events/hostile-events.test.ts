import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type TestPipeline } from '../../support/pipeline.ts';
import { TEST_TOKENS } from '../../support/app.ts';
import { hostileEventCorpus } from './corpus.ts';

const corpus = hostileEventCorpus();
let pipeline: TestPipeline;

beforeAll(async () => {
  pipeline = await startPipeline({}, { workers: false });
});
afterAll(async () => {
  await pipeline.close();
});

describe('hostile fulfillment events', () => {
  it('has at least 250 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(250);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s: refused with a 4xx naming the field', async (_name, c) => {
    const res = await pipeline.api.inject({
      method: 'POST',
      url: '/v1/fulfillments',
      payload: c.body,
      headers: { authorization: `Bearer ${TEST_TOKENS.intake}`, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(c.expectStatus);
    const body = res.json() as { error: string; issues: Array<{ path: string; message: string }> };
    expect(body.error).toEqual(expect.any(String));
    if (c.expectPath)
      expect(body.issues.map((i) => i.path)).toContainEqual(
        expect.stringMatching(new RegExp(`^${c.expectPath.replace(/[.[\]()]/g, '\\$&')}`)),
      );
  });

  it('left nothing behind but audit records, and the API still answers', async () => {
    // Audit records of the refusals are expected; no event, order, entitlement, fulfillment or delivery, and no job.
    const [counts] = await pipeline.ctx.db
      .query(`SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM orders) AS orders,
      (SELECT count(*) FROM entitlements) AS entitlements, (SELECT count(*) FROM fulfillments) AS fulfillments,
      (SELECT count(*) FROM deliveries) AS deliveries, (SELECT count(*) > 0 FROM audit_log) AS audited`);
    expect(counts).toEqual({ events: 0, orders: 0, entitlements: 0, fulfillments: 0, deliveries: 0, audited: true });
    const keys = await pipeline.ctx.redis.keys(`${pipeline.env.KEY_PREFIX}:*`);
    expect(keys.filter((k) => !/:q:[a-z-]+:meta$/.test(k))).toEqual([]);
    expect({} as Record<string, unknown>).not.toHaveProperty('polluted');
    expect((await pipeline.api.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it.each(['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'text/html'])(
    'JSON sent as %s gets 415',
    async (type) => {
      const res = await pipeline.api.inject({
        method: 'POST',
        url: '/v1/fulfillments',
        payload: corpus[0]!.body,
        headers: { authorization: `Bearer ${TEST_TOKENS.intake}`, 'content-type': type },
      });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({ issues: [{ path: '(content-type)' }] });
    },
  );

  it.each([
    '0-0',
    '0',
    '-1',
    '1-',
    '1-0-0',
    'abc',
    '(1',
    '+',
    '99999999999999999-0',
    '1-99999999999999999999',
    '１２３',
  ])('audit cursor %s gets 400 naming before', async (before) => {
    const res = await pipeline.api.inject({
      method: 'GET',
      url: `/v1/audit?before=${encodeURIComponent(before)}`,
      headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
    });
    expect(res.statusCode).toBe(400);
    expect((res.json() as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toContain('before');
  });

  it('pages the audit with its own cursors', async () => {
    const first = await pipeline.api.inject({
      method: 'GET',
      url: '/v1/audit?limit=2',
      headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
    });
    const { next } = first.json() as { next: string };
    const res = await pipeline.api.inject({
      method: 'GET',
      url: `/v1/audit?limit=2&before=${next}`,
      headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
    });
    expect(res.statusCode).toBe(200);
  });

  it('non-JSON content types get 415', async () => {
    const res = await pipeline.api.inject({
      method: 'POST',
      url: '/v1/fulfillments',
      payload: 'eventId=x',
      headers: { authorization: `Bearer ${TEST_TOKENS.intake}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(415);
  });
});
