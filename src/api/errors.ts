import type { FastifyError, FastifyInstance } from 'fastify';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  StoreUnavailableError,
  type FieldIssue,
} from '../errors.ts';

export interface ErrorBody {
  error: string;
  issues: FieldIssue[];
}

/** The one mapping from typed errors to HTTP answers (contract section 6: `{"error", "issues"}`). */
export function httpError(error: unknown): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (error instanceof InvalidInputError) return { status: 400, body: { error: error.message, issues: error.issues } };
  if (error instanceof ConflictError) return { status: 409, body: { error: error.message, issues: error.issues } };
  if (error instanceof NotFoundError) return { status: 404, body: { error: error.message, issues: [] } };
  if (error instanceof ForbiddenError) return { status: 403, body: { error: error.message, issues: [] } };
  if (error instanceof RateLimitedError) {
    return {
      status: 429,
      body: { error: error.message, issues: [] },
      headers: { 'retry-after': String(error.retryAfterSeconds) },
    };
  }
  if (error instanceof StoreUnavailableError) {
    return {
      status: 503,
      body: { error: 'the database is unavailable; try again shortly', issues: [] },
      headers: { 'retry-after': '5' },
    };
  }
  const f = error as FastifyError;
  switch (f.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: { error: 'request body too large', issues: [{ path: '(body)', message: 'must be at most 1 MiB' }] },
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: {
          error: 'unsupported media type',
          issues: [{ path: '(content-type)', message: 'must be application/json' }],
        },
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        body: { error: 'empty body', issues: [{ path: '(body)', message: 'must be a JSON object' }] },
      };
  }
  if (f.statusCode === 400 || error instanceof SyntaxError) {
    return { status: 400, body: { error: 'malformed JSON', issues: [{ path: '(body)', message: f.message }] } };
  }
  if (f.statusCode && f.statusCode >= 400 && f.statusCode < 500)
    return { status: f.statusCode, body: { error: f.message, issues: [] } };
  return { status: 500, body: { error: 'internal error', issues: [] } };
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body, headers } = httpError(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply
      .code(status)
      .headers(headers ?? {})
      .send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}`, issues: [] }),
  );
}
