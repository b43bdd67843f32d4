import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteSpec } from '../../src/api/route-table.ts';
import { roleAllows } from '../../src/api/auth.ts';
import type { Role } from '../../src/config.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { TEST_TOKENS } from '../support/app.ts';

let pipeline: TestPipeline;
beforeAll(async () => {
  pipeline = await startPipeline({}, { workers: false });
});
afterAll(async () => {
  await pipeline.close();
});

const protectedRoutes = (Object.values(ROUTES) as RouteSpec[]).filter((r) => r.role);
const callers: Array<[string, string | undefined, Role | undefined]> = [
  ['no token', undefined, undefined],
  ['unknown token', 'not-a-token-0123456789', undefined],
  ['intake', TEST_TOKENS.intake, 'intake'],
  ['support', TEST_TOKENS.support, 'support'],
  ['admin', TEST_TOKENS.admin, 'admin'],
];

describe('every route by every role', () => {
  const cases = protectedRoutes.flatMap((route) =>
    callers.map(([who, token, role]) => [`${route.method} ${route.url} as ${who}`, route, token, role] as const),
  );
  it.each(cases)('%s', async (_name, route, token, role) => {
    const res = await pipeline.api.inject({
      method: route.method,
      url: route.url.replace(':number', '15563238'),
      ...(route.method === 'POST' && { payload: {} }),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (!role) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    } else if (!roleAllows(role, route.role!)) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toContain(`needs role ${route.role}`);
    } else {
      expect([200, 400, 404]).toContain(res.statusCode);
    }
  });

  it('answers 401 to a malformed Authorization header, and to a token that is a prefix of a real one', async () => {
    for (const authorization of [
      'Basic abc',
      `Bearer`,
      `Bearer ${TEST_TOKENS.admin.slice(0, -1)}`,
      `Bearer ${TEST_TOKENS.admin}x`,
      TEST_TOKENS.admin,
    ]) {
      const res = await pipeline.api.inject({ method: 'GET', url: '/v1/audit', headers: { authorization } });
      expect(res.statusCode).toBe(401);
    }
  });

  it('refuses everything when API_TOKENS is unset', async () => {
    const open = await startPipeline({ API_TOKENS: '' }, { workers: false });
    try {
      const res = await open.api.inject({
        method: 'GET',
        url: '/v1/orders/1',
        headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
      });
      expect(res.statusCode).toBe(401);
    } finally {
      await open.close();
    }
  });

  it('health and metrics need no token', async () => {
    expect((await pipeline.api.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await pipeline.api.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
  });
});

describe('OpenAPI document', () => {
  it('describes every registered route, with the request schemas that validate it', async () => {
    const doc = (await pipeline.api.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    const registered = pipeline.api.printRoutes({ commonPrefix: false });
    for (const route of Object.values(ROUTES) as RouteSpec[]) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path}`).toBeDefined();
      expect(registered).toContain(route.url.split('/').at(-1)!);
    }
    const intake = doc.paths['/v1/fulfillments'].post;
    expect(intake.requestBody.content['application/json'].schema.required).toEqual(['eventId', 'salesOrder', 'lines']);
    expect(intake['x-required-role']).toBe('intake');
    const resend = doc.paths['/v1/orders/{number}/resend'].post;
    expect(resend.requestBody.content['application/json'].schema.required).toEqual(['reason']);
  });

  it('lists no path that the server does not serve', async () => {
    const doc = (await pipeline.api.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(methods)) {
        const res = await pipeline.api.inject({
          method: method.toUpperCase() as 'GET',
          url: path.replace('{number}', '15563238'),
          headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
        });
        expect(res.body, `${method} ${path}`).not.toMatch(/"error":"no route/);
      }
    }
  });
});
