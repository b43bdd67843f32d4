import { z } from 'zod';
import { ROUTES, type RouteSpec } from './route-table.ts';

const errorSchema = {
  type: 'object',
  required: ['error', 'issues'],
  properties: {
    error: { type: 'string' },
    issues: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

function operation(spec: RouteSpec) {
  const params = [...spec.url.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = spec.query
    ? (z.toJSONSchema(spec.query, { io: 'input' }) as { properties?: Record<string, unknown> })
    : undefined;
  const queryParams = Object.entries(query?.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema,
  }));
  const headerParams = Object.entries(spec.headers ?? {}).map(([name, { schema, description }]) => ({
    name,
    in: 'header',
    required: false,
    description,
    schema: z.toJSONSchema(schema, { io: 'input' }),
  }));
  return {
    summary: spec.summary,
    ...(spec.role && { security: [{ bearer: [] }], 'x-required-role': spec.role }),
    parameters: [...params, ...queryParams, ...headerParams],
    ...(spec.body && {
      requestBody: {
        required: true,
        content: { 'application/json': { schema: z.toJSONSchema(spec.body, { io: 'input' }) } },
      },
    }),
    responses: Object.fromEntries(
      Object.entries(spec.responses).map(([code, description]) => [
        code,
        {
          description,
          content:
            Number(code) >= 400
              ? { 'application/json': { schema: errorSchema } }
              : { [spec.produces ?? 'application/json']: {} },
        },
      ]),
    ),
  };
}

/** OpenAPI 3.1 of every route in the route table; paths use `{param}` syntax. */
export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of Object.values(ROUTES) as RouteSpec[]) {
    const path = spec.url.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[spec.method.toLowerCase()] = operation(spec);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'license-courier', version, description: 'Delivers software licenses after a sale.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
